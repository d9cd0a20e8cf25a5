// Photos of evidence, made small on the phone before they are stored or sent: a
// cheap phone's 12-megapixel picture becomes a JPEG of about 200 KB. Drawing on a
// canvas also drops the camera's EXIF block, GPS position included (the hub refuses
// photos that carry a location), so what is hashed and signed is exactly what is sent.

import { hex, sha256 } from "./jws.js";

const MAX_SIDE = 1600;
const QUALITY = 0.8;

export async function compressPhoto(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise((resolve, reject) => {
    canvas.toBlob((made) => (made ? resolve(made) : reject(new Error("encode failed"))), "image/jpeg", QUALITY);
  });
  const digest = hex(await sha256(await blob.arrayBuffer()));
  return { blob, sha256: digest, originalBytes: file.size };
}
