// The browser scanner's durable state in IndexedDB: the device (credential), the outbox, and
// small values (sequence number, clock, cached roster). A check-in is written to the outbox with
// its sequence number in one "strict" transaction (flushed to disk) before the screen shows green,
// and deleted only when the hub's verdict says the hub has it.

const DB_NAME = "aanwezig-scanner";
const VERSION = 1;

let opened = null;

export function open() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("kv");
        db.createObjectStore("outbox", { keyPath: "id" }).createIndex("seq", "seq", { unique: true });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opened;
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
  });
}

function result(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export async function get(key) {
  const db = await open();
  return result(db.transaction("kv").objectStore("kv").get(key));
}

export async function put(key, value) {
  const db = await open();
  const tx = db.transaction("kv", "readwrite", { durability: "strict" });
  tx.objectStore("kv").put(value, key);
  return done(tx);
}

// Add one check-in with the next sequence number; resolves with the stored event once on disk.
export async function append(makeEvent) {
  const db = await open();
  const tx = db.transaction(["kv", "outbox"], "readwrite", { durability: "strict" });
  const kv = tx.objectStore("kv");
  const seq = ((await result(kv.get("seq"))) || 0) + 1;
  const event = makeEvent(seq);
  kv.put(seq, "seq");
  tx.objectStore("outbox").add(event);
  await done(tx);
  return event;
}

// The outbox, oldest first.
export async function pending() {
  const db = await open();
  return result(db.transaction("outbox").objectStore("outbox").index("seq").getAll());
}

export async function count() {
  const db = await open();
  return result(db.transaction("outbox").objectStore("outbox").count());
}

export async function remove(id) {
  const db = await open();
  const tx = db.transaction("outbox", "readwrite", { durability: "strict" });
  tx.objectStore("outbox").delete(id);
  return done(tx);
}
