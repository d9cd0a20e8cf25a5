// Building the page without innerHTML: every text from the hub or the user goes in
// as a text node, so nothing a report says can ever run as script or markup.

import { PROBLEMS } from "./problems.js";

export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replace the main area with ``title`` and ``content``; focus the heading for screen readers. */
export function show(title, ...content) {
  const main = document.getElementById("main");
  const heading = h("h2", { id: "screen-title", tabindex: "-1" }, title);
  main.replaceChildren(heading, ...content.filter((node) => node !== null && node !== false));
  document.title = `${title} · 协办员`;
  heading.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

export function say(text, tone = "info") {
  const live = document.getElementById("toast");
  live.textContent = text;
  live.dataset.tone = tone;
  live.hidden = false;
  clearTimeout(say.timer);
  say.timer = setTimeout(() => { live.hidden = true; }, 6000);
}

export function chip(text, tone) {
  return h("span", { class: `chip chip-${tone}` }, text);
}

export function note(text, tone = "info") {
  return h("p", { class: `note note-${tone}`, role: tone === "error" ? "alert" : null }, text);
}

export function button(label, onclick, { kind = "primary", ...rest } = {}) {
  return h("button", { type: "button", class: `btn btn-${kind}`, onclick, ...rest }, label);
}

export function link(label, href, kind = "secondary") {
  return h("a", { class: `btn btn-${kind}`, href }, label);
}

export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  const hintNode = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintNode) input.setAttribute("aria-describedby", hintNode.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), input, hintNode);
}

export const REASONS = {
  death: "死亡",
  imprisonment: "服刑",
  missing: "失踪",
  loss_of_nationality: "丧失国籍",
  duplicate_receipt: "重复领取",
  other: "其他",
};

export const EVIDENCE_KINDS = {
  onsite_photo: "现场照片",
  death_certificate: "死亡证明",
  cremation_certificate: "火化证明",
  court_judgment: "法院判决书",
  household_cancellation: "户籍注销证明",
  other: "其他材料",
};

// Each stage of a report, in words and a colour that is never the only signal.
export const STAGES = {
  queued: ["待发送（无网络时已签名保存）", "wait"],
  refused: ["被中心退回", "bad"],
  recorded: ["已登记", "ok"],
  received: ["中心已接收", "info"],
  accepted: ["已受理", "info"],
  rejected: ["审核未通过", "bad"],
  approved: ["审核通过", "ok"],
  task_open: ["已立核实任务", "wait"],
  cleared: ["核实排除", "info"],
  confirmed: ["核实确认", "ok"],
  terminated: ["已终止待遇", "ok"],
  suspended: ["已暂停待遇", "ok"],
};

export const TASK_STATUS = {
  open: ["待核实", "wait"],
  in_progress: ["核实中", "wait"],
  confirmed: ["已确认", "ok"],
  cleared: ["已排除", "info"],
};

export const TASK_KINDS = {
  death: "疑似死亡",
  imprisonment: "服刑",
  missing: "失踪",
  loss_of_nationality: "丧失国籍",
  duplicate_receipt: "重复领取",
};

/**
 * An ID number as a coordinator types it, read as its characters: a Chinese keyboard in
 * full-width mode gives ４４０８… and Ｘ (NFKC makes them ASCII), people write it in groups
 * (spaces, the ideographic one too), and the check character may be a lower-case x.
 */
export function typedId(text) {
  return text.normalize("NFKC").replace(/\s/g, "").toUpperCase();
}

/** The hub's own mask (schemas.resident_id): the first 6 and the last 2 characters kept. */
export function maskId(id) {
  if (!id) return "";
  return id.length === 18 || id.length === 15 ? `${id.slice(0, 6)}${"*".repeat(id.length - 8)}${id.slice(-2)}` : "*".repeat(id.length);
}

/** A moment in China Standard Time, e.g. 12月6日 15:52 (with the year when asked). */
export function dateText(iso, { year = false } = {}) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const f = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", year: year ? "numeric" : undefined, month: "long", day: "numeric",
    hour: "2-digit", minute: "2-digit",
  });
  return f.format(d);
}

/** Today and this month in China Standard Time (the hub counts months there too). */
export function chinaToday() {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
  }).format(new Date());
  return { date: parts, month: parts.slice(0, 7) };
}

// The hub's refusals (RFC 9457 problem types) in plain words: problems.js.
export function problemSlug(problem) {
  return (problem?.type || "").split(":").pop();
}

/** A refusal in words the coordinator understands, with the hub's own words as a fallback. */
export function problemText(problem) {
  return PROBLEMS[problemSlug(problem)] || `中心未接受：${problem?.title || problem?.detail || "未知原因"}`;
}

/** How long a wait is, in words: 40 秒, 约 12 分钟, 约 1 小时 5 分钟 (rounded up). */
function waitSpan(seconds) {
  if (seconds < 60) return `${seconds} 秒`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `约 ${minutes} 分钟`;
  const rest = minutes % 60;
  return `约 ${Math.floor(minutes / 60)} 小时${rest ? ` ${rest} 分钟` : ""}`;
}

/**
 * A refusal the hub asked to retry after a while (429 with Retry-After): its words with
 * the wait and the time (China Standard Time) the phone sends again, e.g.
 * 本机一小时内上报太多，约 58 分钟后（15:52）自动重试。
 */
export function retryText(problem, seconds, at) {
  const text = problemText(problem);
  const clock = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).format(at);
  const when = `${waitSpan(seconds)}后（${clock}）自动重试。`;
  // problems.js ends a retried refusal with 稍后自动重试。: the wait says when instead.
  const retried = text.match(/^(.*?)稍后自动重试。$/);
  return retried ? `${retried[1]}${when}` : `${text}${when}`;
}

/** What to show when a read failed: the refusal, or that there is no connection. A read of
 * the hub in passing trouble (429, 5xx) saves nothing and is not tried again by itself. */
export function failureText(error, offline) {
  if (!error?.problem) return offline;
  if (error.status === 429 || error.status >= 500) return "中心暂时无法取得数据，请稍后再打开本页。";
  return problemText(error.problem);
}

/**
 * Await `load()` for a screen; if it fails, say why in `place` (`offline`: what needs the
 * network) and give undefined, so the screen stops there.
 */
export async function loaded(load, place, offline) {
  try {
    return await load();
  } catch (error) {
    place.replaceChildren(note(failureText(error, offline), "error"));
    return undefined;
  }
}
