// Reporting a loss of eligibility (谁收集、谁登记): who, why, when, photos of the
// evidence. The report is signed on the phone at once and queued; it is sent now if
// there is signal, or as soon as there is.

import { flush, queueMessage } from "./hub.js";
import { compressPhoto } from "./photo.js";
import { EVIDENCE_KINDS, REASONS, button, chinaToday, field, h, maskId, note, say, show, typedId } from "./ui.js";

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";
const DEFAULT_KIND = { death: "death_certificate", imprisonment: "court_judgment" };
// What the hub refuses in a name (schemas PersonName): control and format characters (a
// zero-width space pasted from a chat, bidi marks) and line or paragraph separators.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** A resident ID number with a valid GB 11643 check character. */
export function validId(id) {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const sum = WEIGHTS.reduce((total, weight, i) => total + weight * Number(id[i]), 0);
  return CHECK[sum % 11] === id[17];
}

function birthDate(id) {
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

export async function reportScreen(ctx, params) {
  const chosen = JSON.parse(sessionStorage.getItem("chosen-person") || "null");
  const person = params.get("person") && chosen?.ref === params.get("person") ? chosen : null;
  const today = chinaToday().date;
  const photos = [];

  // A person chosen from the list is the register's, and the screen names them: their name
  // and number cannot be typed over, or the report would be signed for someone else under
  // the chosen person's name. Another person is reported from the blank form.
  const chosenOnly = Boolean(person);
  const name = h("input", {
    type: "text", autocomplete: "off", maxlength: "100", value: person?.name || "", readonly: chosenOnly,
  });
  const id = h("input", {
    type: "text", autocomplete: "off", inputmode: "text", maxlength: "24", // 18, spaces between groups
    value: person?.id_number || "", autocapitalize: "characters", readonly: chosenOnly,
  });
  const reasons = h(
    "fieldset",
    { class: "choices" },
    h("legend", {}, "原因"),
    // Nothing chosen at first: a report of death must never be one thumb-slip away.
    Object.entries(REASONS).map(([value, label], i) =>
      h("label", { class: "choice" },
        h("input", { type: "radio", name: "reason", value, required: i === 0 }), h("span", {}, label)),
    ),
  );
  const when = h("input", { type: "date", max: today, value: today });
  const remarks = h("textarea", { rows: "3", maxlength: "1000" }); // the schema's FreeText
  const previews = h("ul", { class: "photos", "aria-label": "已拍照片" });
  const camera = h("input", {
    type: "file", accept: "image/*", capture: "environment", multiple: true, class: "visually-hidden",
    id: "camera",
  });
  const status = h("div", { "aria-live": "polite" });

  camera.addEventListener("change", async () => {
    for (const file of camera.files) {
      try {
        const photo = await compressPhoto(file);
        photo.kind = DEFAULT_KIND[chosenReason()] || "onsite_photo";
        photos.push(photo);
      } catch {
        status.replaceChildren(note(`照片“${file.name}”无法读取，请重新拍照`, "error"));
      }
    }
    camera.value = "";
    drawPhotos(previews, photos);
  });

  function chosenReason() {
    return reasons.querySelector("input:checked")?.value || null;
  }

  const submit = button("签名并上报", async () => {
    const payload = build();
    if (!payload) return;
    submit.disabled = true;
    const jti = await queueMessage(ctx.identity, payload, photos.map(({ blob, sha256, kind }) => ({ blob, sha256, kind })));
    sessionStorage.removeItem("chosen-person");
    say(navigator.onLine ? "已签名，正在发送…" : "已签名保存，有网络时自动发送", "ok");
    ctx.go(`#/mine?new=${jti}`);
    flush(ctx.identity);
  });

  function build() {
    const problems = [];
    const idNumber = typedId(id.value);
    if (validId(idNumber)) id.value = idNumber; // what is signed is what the form shows
    const reason = chosenReason();
    if (!reason) problems.push("请选择原因");
    if (!name.value.trim()) problems.push("请填写姓名");
    else if (INVISIBLE.test(name.value.trim())) problems.push("姓名中有看不见的字符（常见于从聊天中复制），请删除后重新输入");
    if (!validId(idNumber)) problems.push("身份证号不正确（18 位，最后一位可为 X）");
    if (!when.value || when.value > today) problems.push("日期不能晚于今天");
    else if (validId(idNumber) && when.value < birthDate(idNumber)) problems.push("日期早于出生日期");
    if (reason === "other" && !remarks.value.trim()) problems.push("原因为“其他”时请写明情况");
    if (problems.length) {
      status.replaceChildren(note(problems.join("；"), "error"));
      return null;
    }
    const region = { county: ctx.identity.county, village: ctx.identity.area };
    const registered = person?.region || region; // the register's village, else the coordinator's
    return {
      type: "eligibility_report/v1",
      reason,
      person: { id_number: idNumber, name: name.value.trim(), region: registered },
      event_date: when.value,
      reporter: { id: ctx.identity.sender, role: ctx.identity.role },
      region,
      evidence: photos.map((p) => ({ sha256: p.sha256, kind: p.kind, media_type: "image/jpeg" })),
      ...(remarks.value.trim() ? { remarks: remarks.value.trim() } : {}),
    };
  }

  show(
    "上报丧失资格",
    person
      ? h("p", { class: "lead" }, `${person.name}（${maskId(person.id_number)}）`)
      : null,
    field("姓名", name, chosenOnly ? "来自本村名单。上报其他人请点下方“上报”。" : null),
    field("身份证号", id, chosenOnly ? null : "18 位，最后一位可为 X"),
    reasons,
    field("发生日期", when),
    field("情况说明", remarks, "选“其他”时必填"),
    h("div", { class: "field" },
      h("label", { for: "camera", class: "btn btn-secondary" }, "拍照或选照片（证明材料）"),
      camera, previews),
    submit,
    status,
  );
}

function drawPhotos(list, photos) {
  list.replaceChildren(
    ...photos.map((photo, index) => {
      const kind = h("select", { "aria-label": `第 ${index + 1} 张照片是什么` },
        Object.entries(EVIDENCE_KINDS).map(([value, label]) =>
          h("option", { value, selected: value === photo.kind }, label)));
      kind.addEventListener("change", () => { photo.kind = kind.value; });
      const url = URL.createObjectURL(photo.blob);
      return h("li", {},
        h("img", { src: url, alt: `第 ${index + 1} 张照片`, width: "96", height: "96" }),
        h("div", {},
          kind,
          h("span", { class: "hint" }, `${Math.round(photo.blob.size / 1024)} KB`),
          button("删除", () => { photos.splice(index, 1); drawPhotos(list, photos); }, { kind: "quiet" })));
    }),
  );
}
