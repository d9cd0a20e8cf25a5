// The entrance's start: the identity on this phone, the screens by address (#/…),
// the connection indicator and the outbox that sends when the signal returns.

import { kv, outbox } from "./db.js";
import { enrolScreen } from "./enrol.js";
import { flush } from "./hub.js";
import { mineScreen } from "./mine.js";
import { peopleScreen } from "./people.js";
import { reportScreen } from "./report.js";
import { button, h, note, problemText, say, show } from "./ui.js";
import { statsScreen, tasksScreen, zeroScreen } from "./village.js";

const SCREENS = {
  "": homeScreen,
  people: peopleScreen,
  report: reportScreen,
  zero: zeroScreen,
  mine: mineScreen,
  tasks: tasksScreen,
  stats: statsScreen,
};

const ctx = { identity: null, go, refresh: render };

function go(address) {
  if (location.hash === address) render();
  else location.hash = address;
}

function route() {
  const [name, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  return { name, params: new URLSearchParams(query) };
}

async function render() {
  ctx.identity ??= await kv.get("identity");
  document.body.dataset.enrolled = String(Boolean(ctx.identity));
  if (!ctx.identity) {
    await enrolScreen(ctx);
    return;
  }
  const { name, params } = route();
  const screen = SCREENS[name] || homeScreen;
  document.querySelectorAll("nav a").forEach((a) => {
    a.toggleAttribute("aria-current", a.getAttribute("href") === `#/${name}`);
  });
  await screen(ctx, params);
}

async function homeScreen() {
  const waiting = (await outbox.all()).filter((e) => e.state === "queued").length;
  const tile = (href, label, sub) => h("a", { class: "tile", href }, h("strong", {}, label), h("span", {}, sub));
  show(
    "首页",
    h("p", { class: "lead" }, `本村：${ctx.identity.area}`),
    waiting
      ? h("p", { class: "note note-wait", role: "status" }, `有 ${waiting} 份上报已签名，等待网络发送`)
      : null,
    h(
      "div",
      { class: "tiles" },
      tile("#/people", "本村人员", "查姓名或身份证后几位"),
      tile("#/report", "上报丧失资格", "死亡、服刑、失踪…可拍照"),
      tile("#/zero", "本月零报告", "一键提交，查看截止日期"),
      tile("#/mine", "我的上报", "办理进度和回执"),
      tile("#/tasks", "核实任务", "本村待核实名单"),
      tile("#/stats", "本村统计", "本月数字"),
    ),
  );
}

function showConnection() {
  const online = navigator.onLine;
  const badge = document.getElementById("net");
  badge.textContent = online ? "● 在线" : "○ 离线";
  badge.dataset.online = String(online);
}

async function sendQueued() {
  showConnection();
  if (ctx.identity && navigator.onLine) await flush(ctx.identity);
}

window.addEventListener("hashchange", render);
window.addEventListener("online", sendQueued);
window.addEventListener("outbox-due", sendQueued); // the wait a 429's Retry-After asked for is over
window.addEventListener("offline", showConnection);
window.addEventListener("outbox-changed", (event) => {
  if (event.detail?.sent) say("已发送，中心已签发回执", "ok");
  const { name } = route();
  if (name === "mine" || name === "") render();
});
window.addEventListener("key-rejected", async (event) => {
  // A revoked key is most often a lost phone: whoever holds it now must not find the
  // village's list, the receipts or unsent reports on it. Everything goes at once.
  await Promise.all([kv.clear(), outbox.clear()]);
  sessionStorage.clear();
  ctx.identity = null;
  show(
    "本机已停用",
    note(problemText(event.detail), "error"),
    h("p", {}, "本机保存的名单、回执和未发出的上报已清除。请向县（区）社保经办机构领取新的登记码，重新登记本机。"),
    button("重新登记本机", () => go("#/")),
  );
});
window.addEventListener("key-expired", async (event) => {
  // The enrolment's year is up, but the phone is still its coordinator's: the unsent reports
  // stay queued and go out once the phone is enrolled again. The identity goes, and with it
  // what it read (the village's list with every ID number, tasks, counts): nobody may read
  // them any more, and the phone may be enrolled next for another village.
  await Promise.all([kv.delete("identity"), kv.forgetReads()]);
  sessionStorage.clear();
  ctx.identity = null;
  const waiting = (await outbox.all()).filter((e) => e.state === "queued").length;
  show(
    "本机登记已过期",
    note(problemText(event.detail), "error"),
    waiting
      ? h("p", { class: "note note-wait", role: "status" }, `有 ${waiting} 份上报尚未发出，仍保存在本机；重新登记后自动发出。`)
      : null,
    h("p", {}, "请向县（区）社保经办机构领取新的登记码，重新登记本机。"),
    button("重新登记本机", () => go("#/")),
  );
});
document.getElementById("main").addEventListener("enrolled", async () => {
  ctx.identity = await kv.get("identity");
  go("#/");
  sendQueued();
});

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("sw.js", { scope: "./" }).catch(() => {
    // Without a service worker the app still works online; nothing to tell the user.
  });
}

showConnection();
render().then(sendQueued);
setInterval(sendQueued, 30_000); // a connection can come back without an "online" event

