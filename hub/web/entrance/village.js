// The village's side: the monthly zero report in one tap, the verification tasks
// assigned to the village, and a few numbers for the month.

import { outbox } from "./db.js";
import { flush, queueMessage, read, readAll } from "./hub.js";
import { REASONS, TASK_KINDS, TASK_STATUS, button, chinaToday, chip, dateText, failureText, h, loaded, maskId, note, problemText, say, show } from "./ui.js";

function previousMonth(month) {
  const [year, m] = month.split("-").map(Number);
  return m === 1 ? `${year - 1}-12` : `${year}-${String(m - 1).padStart(2, "0")}`;
}

async function unitStatus(ctx, period) {
  const { body, cached } = await read(ctx.identity, `/v1/compliance?period=${period}`);
  const unit = body.units.find((u) => u.code === ctx.identity.area) || null;
  return { period, deadline: body.deadline, unit, cached };
}

/** The month to file: last month while its deadline has not passed and it is still missing. */
async function openPeriod(ctx) {
  const month = chinaToday().month;
  const last = await unitStatus(ctx, previousMonth(month));
  if (last.unit?.status === "missing" && new Date(last.deadline) > new Date()) return last;
  return unitStatus(ctx, month);
}

function periodText(period) {
  const [year, month] = period.split("-");
  return `${year} 年 ${Number(month)} 月`;
}

export async function zeroScreen(ctx) {
  const status = h("div", { "aria-live": "polite" });
  show("本月零报告", status);
  const target = await loaded(() => openPeriod(ctx), status, "需要网络才能查看截止日期");
  if (target === undefined) return;
  // Only one still to be sent holds the button; a refused one is shown with its refusal
  // and filed again (the new one replaces it), or the month stays unreported.
  const filed = (await outbox.all()).filter((e) => e.payload.type === "zero_report/v1" && e.payload.period === target.period);
  const queued = filed.some((e) => e.state !== "refused");
  const refused = filed.filter((e) => e.state === "refused").sort((a, b) => a.created - b.created);
  const done = ["zero_reported", "reported"].includes(target.unit?.status) || queued;
  const explain = {
    reported: "本村本月已有上报，不需要零报告。",
    zero_reported: "本月零报告已提交。",
  }[target.unit?.status] || (queued ? "零报告已签名，等待网络发送。" : "");
  const refusal = !done && refused.length
    ? note(`上次提交的零报告被中心退回：${problemText(refused.at(-1).problem)}可以重新提交。`, "error")
    : null;
  const submit = button(`${periodText(target.period)}本村无异常，提交零报告`, async () => {
    submit.disabled = true;
    for (const entry of refused) await outbox.delete(entry.jti);
    await queueMessage(ctx.identity, {
      type: "zero_report/v1",
      reporter: { id: ctx.identity.sender, role: ctx.identity.role },
      region: { county: ctx.identity.county, village: ctx.identity.area },
      period: target.period,
      count: 0,
    });
    say(navigator.onLine ? "零报告已签名，正在发送…" : "零报告已签名保存，有网络时自动发送", "ok");
    ctx.go("#/mine");
    flush(ctx.identity);
  }, { kind: "primary btn-big", disabled: done });
  show(
    "本月零报告",
    h("dl", { class: "facts" },
      h("dt", {}, "报告月份"), h("dd", {}, periodText(target.period)),
      h("dt", {}, "截止时间"), h("dd", { id: "deadline" }, dateText(target.deadline, { year: true })),
      h("dt", {}, "状态"), h("dd", {}, target.unit
        ? chip({ missing: "未报告", reported: "已上报", zero_reported: "已零报告" }[target.unit.status], target.unit.status === "missing" ? "wait" : "ok")
        : chip("本村不在必报名单", "info"))),
    target.cached ? note("离线：显示上次取得的信息", "wait") : null,
    h("p", {}, "本月村里没有发现死亡、服刑、失踪等情况时，点一下即可。发现情况请走“上报丧失资格”。"),
    explain ? note(explain, "ok") : null,
    refusal,
    submit,
  );
}

function villageTasks(ctx) {
  return readAll(ctx.identity, `/v1/verification-tasks?region=${ctx.identity.area}`);
}

export async function tasksScreen(ctx) {
  const list = h("ul", { class: "cards", "aria-label": "核实任务" });
  show("核实任务", list);
  let answer;
  try {
    answer = await villageTasks(ctx);
  } catch (error) {
    list.replaceWith(note(failureText(error, "需要网络"), "error"));
    return;
  }
  const open = (t) => (t.status === "open" || t.status === "in_progress" ? 0 : 1);
  for (const task of answer.items.sort((a, b) => open(a) - open(b) || b.opened_at.localeCompare(a.opened_at))) {
    const [label, tone] = TASK_STATUS[task.status] || [task.status, "info"];
    list.append(h("li", { class: "card", "data-task": task.task_id },
      h("strong", {}, `${task.person.name}（${maskId(task.person.id_number)}）`),
      h("span", {}, `${TASK_KINDS[task.kind] || task.kind} `, chip(label, tone)),
      h("p", { class: "hint" }, `${dateText(task.opened_at)} 立案`)));
  }
  if (!answer.items.length) list.append(h("li", { class: "card" }, "本村目前没有核实任务。"));
}

export async function statsScreen(ctx) {
  const month = chinaToday().month;
  const box = h("div", {});
  show("本村统计", box);
  try {
    const [{ body: stats }, { items: tasks }, { unit }] = await Promise.all([
      read(ctx.identity, `/v1/stats?period=${month}&group_by=reason`),
      villageTasks(ctx),
      unitStatus(ctx, month),
    ]);
    const count = (rows) => rows.reduce((total, row) => total + row.count, 0);
    const openTasks = tasks.filter((t) => t.status === "open" || t.status === "in_progress").length;
    box.replaceChildren(
      h("p", { class: "lead" }, periodText(month)),
      h("dl", { class: "facts" },
        h("dt", {}, "本月上报"), h("dd", { id: "stat-reports" }, `${count(stats.reports)} 件`),
        ...stats.reports.map((row) => [h("dt", { class: "sub" }, REASONS[row.key] || row.key), h("dd", {}, `${row.count} 件`)]),
        h("dt", {}, "本月认证"), h("dd", {}, `${count(stats.certifications)} 人次`),
        h("dt", {}, "待核实任务"), h("dd", { id: "stat-open-tasks" }, `${openTasks} 件`),
        h("dt", {}, "已确认任务"), h("dd", {}, `${tasks.filter((t) => t.status === "confirmed").length} 件`),
        h("dt", {}, "零报告"), h("dd", {}, unit ? { missing: "未报告", reported: "已上报", zero_reported: "已零报告" }[unit.status] : "—")),
    );
  } catch (error) {
    box.replaceChildren(note(failureText(error, "需要网络"), "error"));
  }
}
