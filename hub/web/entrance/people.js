// My village's pensioners: the register's list for the village, kept on the phone so
// that search (by name, or the last digits of the ID number) also works without
// signal; each with certification status, due month and any open verification task.

import { readAll } from "./hub.js";
import { randomId } from "./jws.js";
import { TASK_KINDS, TASK_STATUS, chip, field, h, loaded, maskId, note, show, typedId } from "./ui.js";

// The register's statuses (README, "The certification register").
export const REGISTER_STATUS = {
  certified: ["已认证", "ok"],
  due: ["即将到期", "wait"],
  overdue: ["逾期未认证", "bad"],
  not_certified: ["未认证", "bad"],
  suspended: ["已暂停发放", "bad"],
  terminated: ["已终止", "info"],
  not_on_roster: ["不在待遇名册", "info"],
};
const NEEDS_CERTIFYING = new Set(["due", "overdue", "not_certified"]);

async function villagePeople(ctx) {
  const area = ctx.identity.area;
  const [people, tasks] = await Promise.all([
    readAll(ctx.identity, `/v1/register/people?area=${area}`),
    readAll(ctx.identity, `/v1/verification-tasks?region=${area}`),
  ]);
  // Each person's latest task, whatever its state: a confirmed death matters as much as an open one.
  const latest = new Map();
  for (const task of tasks.items) {
    const known = latest.get(task.person.id_number);
    if (!known || known.opened_at < task.opened_at) latest.set(task.person.id_number, task);
  }
  return {
    cached: people.cached || tasks.cached,
    items: people.items.map((p) => ({ ...p, task: latest.get(p.person.id_number) || null })),
  };
}

function matches(entry, query) {
  if (!query) return true;
  const digits = typedId(query); // ４２８Ｘ typed in full width is 428X
  if (/^[\dX]+$/.test(digits)) return entry.person.id_number.endsWith(digits);
  return entry.person.name.includes(query);
}

function monthText(month) {
  if (!month) return "没有认证记录";
  const [year, m] = month.split("-");
  return `${year} 年 ${Number(m)} 月`;
}

/** The person as a report names them: ID number, name and the registered village. */
export function personRef(entry) {
  const area = entry.person.area || "";
  const region = area.length === 12 ? { county: area.slice(0, 6), village: area } : null;
  return { id_number: entry.person.id_number, name: entry.person.name, region };
}

function card(entry) {
  const [label, tone] = REGISTER_STATUS[entry.status] || [entry.status, "info"];
  const task = entry.task;
  const last = entry.last_certification;
  return h("li", { class: "card", "data-person": entry.person.id_number.slice(-4) },
    h("strong", {}, `${entry.person.name}（${maskId(entry.person.id_number)}）`),
    chip(label, tone),
    h("p", {}, `认证到期：${monthText(entry.due_month)}`),
    last ? h("p", { class: "hint" }, `上次认证：${last.on}`) : null,
    task
      ? h("p", {}, "核实任务：", chip(`${TASK_KINDS[task.kind] || task.kind} · ${TASK_STATUS[task.status][0]}`, TASK_STATUS[task.status][1]))
      : null,
    NEEDS_CERTIFYING.has(entry.status) && task?.status !== "confirmed"
      ? h("a", { class: "btn btn-secondary", href: `/map/?place=${entry.person.area}` }, "附近哪里可以认证")
      : null,
    reportLink(entry));
}

// The address names the choice by a random reference, never by the ID number: the
// browser's history keeps every address in full, and the entrance cannot wipe it when a
// lost phone is revoked. The person travels in sessionStorage, which it does wipe.
function reportLink(entry) {
  const ref = randomId(); // not crypto.randomUUID: Chromium 92+, newer than many phones' WebViews
  return h("a", {
    class: "btn btn-secondary", href: `#/report?person=${ref}`,
    // Synchronous, so the report screen (opened by this very click) finds it.
    onclick: () => sessionStorage.setItem("chosen-person", JSON.stringify({ ref, ...personRef(entry) })),
  }, `为${entry.person.name}上报情况`);
}

export async function peopleScreen(ctx) {
  const search = h("input", { type: "search", placeholder: "姓名，或身份证后几位", autocomplete: "off" });
  const list = h("ul", { class: "cards", "aria-label": "本村人员" });
  const status = h("div", { "aria-live": "polite" });
  show("本村人员", field("查找", search), status, list);
  const people = await loaded(() => villagePeople(ctx), status, "需要网络才能取得名单");
  if (people === undefined) return;
  if (people.cached) status.replaceChildren(note("离线：显示上次取得的名单", "wait"));
  const draw = () => {
    const query = search.value.trim();
    const shown = people.items.filter((entry) => matches(entry, query));
    list.replaceChildren(...shown.slice(0, 100).map(card));
    if (!shown.length) list.append(h("li", { class: "card" }, query ? "没有找到。" : "名单为空。"));
  };
  search.addEventListener("input", draw);
  draw();
}

