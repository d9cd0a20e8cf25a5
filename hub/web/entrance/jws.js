// Keys and signatures made on the phone (WebCrypto, Ed25519): the private key is
// generated non-extractable, so no script (not even this one) can ever read it out.
// Messages and read tokens follow the hub's wire contract (README, "Wire contract").

const utf8 = new TextEncoder();

export function b64(bytes) {
  let text = "";
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text);
}

export function b64url(bytes) {
  return b64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function b64urlDecode(text) {
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function randomId() {
  return hex(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * A new key pair whose private half never leaves WebCrypto: Ed25519, or P-256 (ES256, which
 * the hub takes too) where the browser has no Ed25519 in WebCrypto (it came in Chrome 137;
 * the browsers built into many cheap Android phones and chat apps are older).
 */
export async function newKeyPair() {
  try {
    return await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  } catch {
    return crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  }
}

/** The JWS alg of a key of newKeyPair() and WebCrypto's parameters for signing with it. */
function signing(key) {
  return key.algorithm.name === "Ed25519"
    ? { alg: "EdDSA", params: { name: "Ed25519" } }
    : { alg: "ES256", params: { name: "ECDSA", hash: "SHA-256" } }; // r ‖ s, as JWS wants
}

/** The public JWK the hub's trust store takes, with its RFC 7638 thumbprint as kid. */
export async function publicJwk(publicKey) {
  const { crv, kty, x, y } = await crypto.subtle.exportKey("jwk", publicKey);
  const members = y === undefined ? { crv, kty, x } : { crv, kty, x, y }; // lexicographic order
  const kid = b64url(await sha256(utf8.encode(JSON.stringify(members))));
  return { ...members, kid, alg: signing(publicKey).alg, use: "sig" };
}

async function compact(header, payloadBytes, privateKey) {
  const input = `${b64url(utf8.encode(JSON.stringify(header)))}.${b64url(payloadBytes)}`;
  const signature = await crypto.subtle.sign(signing(privateKey).params, privateKey, utf8.encode(input));
  return `${input}.${b64url(signature)}`;
}

/** A compact JWS of one canonical message: alg, kid, typ, iat, jti, iss. */
export function signMessage(identity, payload, { jti, iat }) {
  const alg = signing(identity.keys.privateKey).alg;
  const header = { alg, kid: identity.kid, typ: payload.type, iat, jti, iss: identity.sender };
  return compact(header, utf8.encode(JSON.stringify(payload)), identity.keys.privateKey);
}

/** A short-lived bearer token (RFC 7519) for reads (scope "read") or uploads ("evidence"). */
export function bearerToken(identity, scope, now) {
  const claims = {
    iss: identity.sender, sub: identity.sender, aud: "certhub",
    iat: now, nbf: now, exp: now + 300, jti: randomId(), scope,
  };
  const header = { alg: signing(identity.keys.privateKey).alg, kid: identity.kid, typ: "JWT" };
  return compact(header, utf8.encode(JSON.stringify(claims)), identity.keys.privateKey);
}

/** The payload of a compact JWS, parsed (no verification). */
export function jwsPayload(token) {
  return JSON.parse(new TextDecoder().decode(b64urlDecode(token.split(".")[1])));
}

/**
 * Verify the hub's receipt against its published keys and the exact bytes we sent: true or
 * false, or null where the browser cannot check an Ed25519 signature (newKeyPair()).
 */
export async function verifyReceipt(receipt, sentToken, jwks) {
  const [headerPart, payloadPart, signaturePart] = receipt.split(".");
  const header = JSON.parse(new TextDecoder().decode(b64urlDecode(headerPart)));
  const jwk = (jwks.keys || []).find((k) => k.kid === header.kid && k.crv === "Ed25519");
  if (!jwk || header.alg !== "EdDSA") return false;
  let key;
  try {
    key = await crypto.subtle.importKey(
      "jwk", { kty: "OKP", crv: "Ed25519", x: jwk.x }, { name: "Ed25519" }, false, ["verify"],
    );
  } catch (error) {
    if (error.name === "NotSupportedError") return null; // not checked, and not failed
    throw error;
  }
  const signed = await crypto.subtle.verify(
    { name: "Ed25519" }, key, b64urlDecode(signaturePart), utf8.encode(`${headerPart}.${payloadPart}`),
  );
  const claims = jwsPayload(receipt);
  return signed && claims.sha256 === hex(await sha256(utf8.encode(sentToken)));
}
