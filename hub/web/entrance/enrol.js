// Enrolment without passwords: the phone makes its own Ed25519 key (non-extractable)
// and a one-time code from the county binds the public half to this coordinator's
// village in the hub's trust store (README, "Coordinators' enrolment and area scopes").

import { kv } from "./db.js";
import { Offline, Refused, postJson } from "./hub.js";
import { newKeyPair, publicJwk } from "./jws.js";
import { button, field, h, note, problemText, show } from "./ui.js";

export async function enrolScreen() {
  const code = h("input", {
    type: "text", inputmode: "numeric", autocomplete: "one-time-code",
    placeholder: "1234-5678-9012", maxlength: "60", name: "code", // room for a pasted line
  });
  const status = h("div", { "aria-live": "polite" });
  const submit = button("登记本机", async () => {
    submit.disabled = true;
    status.replaceChildren(note("正在生成本机密钥并登记…"));
    try {
      await enrol(typedCode(code.value));
      document.getElementById("main").dispatchEvent(new Event("enrolled"));
    } catch (error) {
      status.replaceChildren(note(explain(error), "error"));
      submit.disabled = false;
    }
  });
  show(
    "登记本机",
    h("p", { class: "lead" }, "请输入县（区）社保经办机构发给您的一次性登记码。"),
    h("p", {}, "本机会生成自己的签名密钥，私钥只存在这部手机里，不会发出。以后您上报的每一件事都由本机签名。"),
    field("登记码", code, "12 位数字，可带横线"),
    submit,
    status,
  );
  code.focus();
}

/**
 * The code as typed or pasted from an SMS or a chat: full-width digits and hyphens (NFKC
 * makes them ASCII), any space or dash between the groups dropped, the words of a pasted
 * line around it left out. The hub counts every
 * code it cannot read as a wrong one against the phone's address.
 */
function typedCode(text) {
  const plain = text.normalize("NFKC");
  // Copied with the words around it (登记码：1234-5678-9012。): the code in them.
  const found = plain.match(/(?<!\d)\d{4}[\s\p{Pd}]*\d{4}[\s\p{Pd}]*\d{4}(?!\d)/u);
  return (found ? found[0] : plain).replace(/[\s\p{Pd}]/gu, "");
}

async function enrol(code) {
  // One key pair per code, kept until the hub's answer arrives: if the answer to a try
  // was lost, the hub bound this key with this code already, and answers the same again.
  const pending = await kv.get("enrolling");
  const keys = pending?.code === code ? pending.keys : await newKeyPair();
  if (pending?.code !== code) await kv.put("enrolling", { code, keys });
  const jwk = await publicJwk(keys.publicKey);
  const { body } = await postJson("/v1/enrolments", { code, jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } });
  if (body.kid !== jwk.kid) throw new Error("the hub bound another key");
  await kv.put("identity", {
    keys, kid: body.kid, sender: body.sender, role: body.role, area: body.area,
    county: body.area.slice(0, 6), notAfter: body.not_after, enrolledAt: Date.now(),
  });
  await kv.delete("enrolling");
}

function explain(error) {
  if (error instanceof Offline) return "登记需要网络。请到有信号的地方再试。";
  if (error instanceof Refused) {
    // Every refusal in problems.js's words; a queued report is sent again by itself, an
    // enrolment only when the coordinator taps again.
    return problemText(error.problem).replace(/稍后自动重试。$/, "请稍后再点“登记本机”。");
  }
  return `登记未成功：${error.message}`;
}
