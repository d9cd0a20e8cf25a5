// The phone's own storage (IndexedDB): its identity (the non-extractable key pair
// and what enrolment bound it to), the outbox of signed reports not yet answered,
// receipts, and the last copy of each list for reading without signal.

const NAME = "certhub-entrance";
let opened = null;

function database() {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("kv");
      db.createObjectStore("outbox", { keyPath: "jti" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
}

async function run(store, mode, action) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const request = action(tx.objectStore(store));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export const kv = {
  get: (key) => run("kv", "readonly", (s) => s.get(key)),
  put: (key, value) => run("kv", "readwrite", (s) => s.put(value, key)),
  delete: (key) => run("kv", "readwrite", (s) => s.delete(key)),
  clear: () => run("kv", "readwrite", (s) => s.clear()),
  // Every "cache:" key (the last copy of each read), and nothing else: ":" < ";".
  forgetReads: () => run("kv", "readwrite", (s) => s.delete(IDBKeyRange.bound("cache:", "cache;", false, true))),
};

export const outbox = {
  all: async () => (await run("outbox", "readonly", (s) => s.getAll())).sort((a, b) => a.created - b.created),
  put: (entry) => run("outbox", "readwrite", (s) => s.put(entry)),
  delete: (jti) => run("outbox", "readwrite", (s) => s.delete(jti)),
  clear: () => run("outbox", "readwrite", (s) => s.clear()),
};
