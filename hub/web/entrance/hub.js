// Talking to the hub: reads with the phone's own bearer tokens, pushes of signed
// messages, evidence uploads, and the outbox that sends what was made offline.

import { kv, outbox } from "./db.js";
import { b64, b64urlDecode, bearerToken, randomId, sha256, signMessage, verifyReceipt } from "./jws.js";
import { maskId } from "./ui.js";

export class Offline extends Error {}
export class Refused extends Error {
  constructor(problem, status, retryAfter = null) {
    super(problem.detail || problem.title || "refused");
    this.problem = problem;
    this.status = status;
    this.retryAfter = retryAfter; // seconds the hub asked to wait (Retry-After), or null
  }
}

// A signed message refused because the hub no longer trusts this phone's key (revoked
// after a loss, removed). A read with a revoked key says "token-key-revoked"; other
// unusable keys say only "invalid-token"; see read().
const KEY_REJECTED = new Set(["key-revoked", "token-key-revoked", "unknown-key"]);
// The enrolment's year is up: the phone is still its coordinator's, so what it has not sent
// stays queued, and goes out signed by the key it is enrolled with next (see send()).
const KEY_EXPIRED = new Set(["key-expired", "token-key-expired"]);
// A key enrolled moments ago that a hub process does not know yet: the one that bound it
// trusts it at once, the others of a deployment on PostgreSQL within
// CERTHUB_TRUST_RELOAD_SECONDS (2 s by default). Until SETTLING_MS after enrolment, a key
// unknown (to a push) or unusable (to a read) is not a key rejected: try again later.
const NOT_YET_KNOWN = new Set(["unknown-key", "invalid-token"]);
const SETTLING_MS = 5 * 60_000;

function notYetKnown(identity, error) {
  return NOT_YET_KNOWN.has(slugOf(error)) && Date.now() - (identity?.enrolledAt ?? 0) < SETTLING_MS;
}

let clockOffset = 0; // seconds the hub's clock is ahead of the phone's (from its Date header)

export function hubNow() {
  return Math.floor(Date.now() / 1000 + clockOffset);
}

/** ``path`` fetched; ``identity``: the phone's, when it signed the request. */
async function call(path, init = {}, identity = null) {
  let response;
  try {
    response = await fetch(path, { cache: "no-store", ...init });
  } catch {
    throw new Offline("no connection");
  }
  const date = Date.parse(response.headers.get("Date") || "");
  if (!Number.isNaN(date)) clockOffset = (date - Date.now()) / 1000;
  const type = response.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await response.json() : null;
  if (!response.ok) {
    const wait = retryAfter(response.headers.get("Retry-After"), date);
    const refused = new Refused(body || { title: `HTTP ${response.status}` }, response.status, wait);
    if (KEY_REJECTED.has(slugOf(refused)) && !notYetKnown(identity, refused)) keyRejected(refused.problem);
    if (KEY_EXPIRED.has(slugOf(refused))) keyExpired(refused.problem);
    throw refused;
  }
  return { status: response.status, body };
}

/** Retry-After's seconds: a number of them, or an HTTP date read against the answer's
 * own Date (the hub's clock, so a phone clock that is wrong does not shorten the wait). */
function retryAfter(value, answered) {
  if (!value) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const until = Date.parse(value);
  if (Number.isNaN(until)) return null;
  const now = Number.isNaN(answered) ? Date.now() : answered;
  return Math.max(0, Math.ceil((until - now) / 1000));
}

function slugOf(error) {
  return (error?.problem?.type || "").split(":").pop();
}

function keyRejected(problem) {
  window.dispatchEvent(new CustomEvent("key-rejected", { detail: problem }));
}

function keyExpired(problem) {
  window.dispatchEvent(new CustomEvent("key-expired", { detail: problem }));
}

async function authorisedGet(identity, path) {
  const token = await bearerToken(identity, "read", hubNow());
  return (await call(path, { headers: { Authorization: `Bearer ${token}` } }, identity)).body;
}

// A token the hub found expired (a phone clock behind) or not valid yet, or otherwise
// unusable (a clock ahead, or a key the hub no longer trusts).
const CLOCK_WRONG = new Set(["token-expired", "invalid-token"]);

/** ``attempt()``, once more if its token's time was wrong: the refusal's Date header has
 * corrected the phone's clock since (hubNow). */
async function againIfClockWrong(attempt) {
  try {
    return await attempt();
  } catch (error) {
    if (!CLOCK_WRONG.has(slugOf(error))) throw error;
    return attempt();
  }
}

/** A GET as the enrolled phone, telling a wrong clock from a key the hub no longer trusts. */
function checkedGet(identity, path) {
  return againIfClockWrong(() => authorisedGet(identity, path)).catch((error) => {
    // The phone makes its tokens well: invalid again with the clock corrected, the key is
    // one the hub no longer trusts.
    if (slugOf(error) === "invalid-token" && !notYetKnown(identity, error)) keyRejected(error.problem);
    throw error;
  });
}

/** GET a JSON read as the enrolled phone; the last good answer is kept for offline use (and
 * shown too when the hub or its gateway fails for a moment: 429, 5xx). */
export async function read(identity, path) {
  try {
    const body = await checkedGet(identity, path);
    await kv.put(`cache:${path}`, { body, at: Date.now() });
    return { body, cached: false };
  } catch (error) {
    const kept = transient(error) ? await kv.get(`cache:${path}`) : null; // as if offline
    if (!kept) throw error;
    return { body: kept.body, cached: true, at: kept.at };
  }
}

const PAGE = 200; // within every deployment's CERTHUB_PULL_MAX_LIMIT (default 1000)
const MAX_PAGES = 50; // a village's list is hundreds of people, never ten thousand

/** Every page of a cursor list (``path`` has a query already); the whole list is kept offline. */
export async function readAll(identity, path) {
  const key = `cache:all:${path}`;
  try {
    const items = [];
    let after = "";
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const cursor = after ? `&after=${encodeURIComponent(after)}` : "";
      const body = await checkedGet(identity, `${path}&limit=${PAGE}${cursor}`);
      items.push(...body.items);
      if (!body.has_more) break;
      after = body.next_cursor;
    }
    await kv.put(key, { items, at: Date.now() });
    return { items, cached: false };
  } catch (error) {
    const kept = transient(error) ? await kv.get(key) : null;
    if (!kept) throw error;
    return { items: kept.items, cached: true, at: kept.at };
  }
}

export async function postJson(path, value) {
  return call(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(value),
  });
}

async function upload(identity, photo) {
  const digest = b64(await sha256(await photo.blob.arrayBuffer()));
  await againIfClockWrong(async () => call("/v1/evidence", {
    method: "POST",
    headers: {
      Authorization: `Bearer ${await bearerToken(identity, "evidence", hubNow())}`,
      "Content-Type": photo.blob.type,
      "Content-Digest": `sha-256=:${digest}:`,
    },
    body: photo.blob,
  }, identity));
}

/** Sign ``payload`` now and queue it with its photos; the outbox sends it when it can. */
export async function queueMessage(identity, payload, photos = []) {
  const jti = `app-${randomId()}`;
  const token = await signMessage(identity, payload, { jti, iat: hubNow() });
  await outbox.put({ jti, token, payload, photos, state: "queued", created: Date.now() });
  changed();
  return jti;
}

function changed(detail = {}) {
  window.dispatchEvent(new CustomEvent("outbox-changed", { detail }));
}

let flushing = null;
let due = null; // the timer that sends again once the hub's Retry-After has passed

/** Send everything queued, oldest first; stop at the first sign of no connection. */
export function flush(identity) {
  flushing ??= sendAll(identity).finally(() => {
    flushing = null;
  });
  return flushing;
}

async function sendAll(identity) {
  for (const entry of await outbox.all()) {
    if (entry.state !== "queued") continue;
    // The hub said when to try again: nothing earlier (the queue keeps its order behind it).
    if (entry.notBefore > Date.now()) return sendAgainAt(entry.notBefore);
    try {
      await send(identity, entry);
      changed({ sent: entry.jti });
    } catch (error) {
      if (error.retryAfter !== null && error.retryAfter !== undefined && transient(error)) {
        await wait(entry, error);
        return;
      }
      if (transient(error) || notYetKnown(identity, error)) return; // kept queued; sent next time
      if (KEY_EXPIRED.has(slugOf(error))) return; // queued until the phone is enrolled again
      if (slugOf(error) === "replay") {
        // The hub holds this phone's report under this id, signed again (the entrance open in
        // another tab sent it too): it is delivered, and 我的上报 shows the hub's copy.
        await outbox.delete(entry.jti);
        changed();
        continue;
      }
      entry.state = "refused";
      entry.problem = error.problem || { detail: String(error) };
      await outbox.put(entry);
      changed();
    }
  }
}

/** Keep ``entry`` queued until the refusal's Retry-After has passed, and say so. */
async function wait(entry, error) {
  entry.notBefore = Date.now() + error.retryAfter * 1000;
  entry.problem = error.problem;
  await outbox.put(entry);
  changed();
  sendAgainAt(entry.notBefore);
}

/** Ask the app to send again at ``when`` (a time of the phone's clock). */
function sendAgainAt(when) {
  clearTimeout(due);
  due = setTimeout(() => window.dispatchEvent(new Event("outbox-due")), Math.max(0, when - Date.now()));
}

/** No connection, a body too slow to arrive (408 body-timeout: a weak signal), or the hub
 * asks to retry later (overloaded, ledger unavailable). */
function transient(error) {
  return error instanceof Offline || [408, 429].includes(error.status) || error.status >= 500;
}

async function send(identity, entry) {
  if (signedBy(entry.token) !== identity.kid) await signedAgain(identity, entry);
  for (const photo of entry.photos) await upload(identity, photo);
  let answer;
  try {
    answer = await push(identity, entry.token);
  } catch (error) {
    // Signed long ago (no signal for a while): the hub refuses a stale iat unless it
    // already holds these exact bytes. Re-sign the same payload under the same message
    // id with a fresh iat; the hub cannot hold both, so the report is never doubled.
    if (!(error instanceof Refused) || !error.problem.type?.endsWith(":clock-skew")) throw error;
    entry.token = await signMessage(identity, entry.payload, { jti: entry.jti, iat: hubNow() });
    await outbox.put(entry);
    answer = await push(identity, entry.token);
  }
  const jwks = (await call("/.well-known/jwks.json")).body;
  const verified = await verifyReceipt(answer.receipt, entry.token, jwks);
  const receipts = (await kv.get("receipts")) || [];
  receipts.unshift({ ...answer, jti: entry.jti, verified, payload: receiptPayload(entry.payload), at: Date.now() });
  await kv.put("receipts", receipts.slice(0, 50));
  await outbox.delete(entry.jti);
}

/** What a receipt keeps of the report: the payload with the ID number masked, as it is shown.
 * Receipts outlive an expired enrolment (the proof of what the phone sent); the number in
 * full is the hub's. */
function receiptPayload(payload) {
  if (!payload.person) return payload;
  return { ...payload, person: { ...payload.person, id_number: maskId(payload.person.id_number) } };
}

function signedBy(token) {
  return JSON.parse(new TextDecoder().decode(b64urlDecode(token.split(".")[0]))).kid;
}

/** A report queued under a key that expired meanwhile, signed by the phone's new key: the
 * coordinator registers it under the new enrolment's sender id (a new sender, so the same
 * message id is still unused). */
async function signedAgain(identity, entry) {
  const reporter = { ...entry.payload.reporter, id: identity.sender };
  entry.payload = { ...entry.payload, reporter };
  entry.token = await signMessage(identity, entry.payload, { jti: entry.jti, iat: hubNow() });
  await outbox.put(entry);
}

async function push(identity, token) {
  const { body } = await call("/v1/reports", {
    method: "POST",
    headers: { "Content-Type": "application/jose" },
    body: token,
  }, identity);
  return body;
}
