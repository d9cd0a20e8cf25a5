// My reports (上报台账) with their live status: what waits on the phone, what the hub
// refused, and each report the hub holds, with its stage and the hub's signed receipt.

import { kv, outbox } from "./db.js";
import { read } from "./hub.js";
import { REASONS, STAGES, button, chip, dateText, h, loaded, maskId, note, problemText, retryText, show } from "./ui.js";

function title(payload) {
  if (payload.type === "zero_report/v1") return `零报告 · ${payload.period}`;
  return `${REASONS[payload.reason] || payload.reason} · ${payload.person.name}（${maskId(payload.person.id_number)}）`;
}

function serverTitle(item) {
  if (item.type === "zero_report/v1") return `零报告 · ${item.period}`;
  return `${REASONS[item.reason] || item.reason} · ${item.person.name}（${item.person.id_number}）`;
}

function stageChip(stage) {
  const [label, tone] = STAGES[stage] || [stage, "info"];
  return chip(label, tone);
}

// ``verified`` is known only for what this phone sent: true, false (a receipt that does
// not verify is a reason to call the county), null (a browser without Ed25519 cannot
// check it: jws.js) or undefined (sent from elsewhere).
function receiptLine(sequence, verified) {
  if (verified === false) {
    return note(`回执：台账第 ${sequence} 号 · 回执签名未通过核验，请告知县（区）社保经办机构`, "error");
  }
  return h("p", { class: "receipt" },
    `回执：台账第 ${sequence} 号`, verified ? " · 中心签名已核验 ✔" : "");
}

/** A queued report the hub asked to hold back (429 with Retry-After): why, and until when. */
function waitNote(entry) {
  if (entry.state !== "queued" || !(entry.notBefore > Date.now())) return null;
  const seconds = Math.ceil((entry.notBefore - Date.now()) / 1000);
  return note(retryText(entry.problem, seconds, new Date(entry.notBefore)), "wait");
}

export async function mineScreen(ctx) {
  const waiting = await outbox.all();
  const receipts = new Map(((await kv.get("receipts")) || []).map((r) => [r.message_id, r]));
  const list = h("ul", { class: "cards", "aria-label": "我的上报" });
  for (const entry of waiting) {
    list.append(h("li", { class: "card", "data-jti": entry.jti },
      h("strong", {}, title(entry.payload)),
      stageChip(entry.state),
      waitNote(entry),
      entry.state === "refused" && entry.problem ? note(problemText(entry.problem), "error") : null,
      entry.state === "refused"
        ? button("删除这份", async () => { await outbox.delete(entry.jti); ctx.refresh(); }, { kind: "quiet" })
        : null));
  }
  const status = h("div", { "aria-live": "polite" });
  show("我的上报", status, list);
  const answer = await loaded(() => read(ctx.identity, "/v1/my-reports?limit=50"), status, "暂时无法取得办理进度");
  if (answer === undefined) return;
  if (answer.cached) status.replaceChildren(note(`离线：显示 ${dateText(new Date(answer.at).toISOString())} 的进度`, "wait"));
  const shown = new Set(waiting.map((e) => e.jti));
  for (const item of answer.body.items) {
    if (shown.has(item.message_id)) continue;
    const kept = receipts.get(item.message_id);
    list.append(h("li", { class: "card", "data-jti": item.message_id },
      h("strong", {}, serverTitle(item)),
      stageChip(item.stage),
      h("p", { class: "hint" }, `${dateText(item.received_at)} 收到`),
      receiptLine(item.sequence, kept?.verified)));
  }
  // Sent from this phone moments ago but not in the (cached) list yet.
  for (const [id, kept] of receipts) {
    if (answer.body.items.some((i) => i.message_id === id) || shown.has(id)) continue;
    if (!answer.cached) continue;
    list.append(h("li", { class: "card", "data-jti": id },
      h("strong", {}, title(kept.payload)), stageChip("received"), receiptLine(kept.sequence, kept.verified)));
  }
  if (!list.children.length) list.append(h("li", { class: "card" }, "还没有上报。"));
}
