// The browser scanner: camera, QR decoding, keypad, feedback, outbox and sending, as a unit does.
//
// One presentation is one check-in: a card read again within the repeat window is "Al
// geregistreerd". A check-in gets its event id here, is written to IndexedDB (store.js) and only
// then shown green; it leaves the outbox when the hub answers a verdict after its commit. Arrival
// or departure follows the child's presence (the hub's, from the roster, with this screen's own
// scans on top until the hub has caught up). A collector's card ("ophaalkaart") and a child's card
// within a short window, in either order, make a departure "opgehaald door" that person
// (collecting.js: the units' rule).
import * as store from "./store.js";
import { CollectorWindow, childrenOf } from "./collecting.js";

const VERSION = "browser-1";
const SCAN_EVERY_MS = 250; // a few frames a second
const CLOCK_SYNC_MS = 2000; // the device clock counts as synced within 2 s of the hub's
const MAX_BACKOFF_MS = 10000; // a tablet may knock every 10 s while the hub is away
const BOOT_ID = crypto.randomUUID(); // this page load stands in for a unit's boot
const FEEDBACK_MS = 3500;
const NOT_ALLOWED = "Niet toegestaan — verwittig de opvang";
const PRESENTATION_GAP_MS = 1500; // as on the units (device/scanner.py)
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2], [7, 0, 9, 2, 1, 5, 4, 8, 6, 3], [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6], [6, 1, 2, 3, 0, 4, 5, 9, 7, 8], [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4], [8, 9, 4, 5, 3, 6, 2, 0, 1, 7], [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

const $ = (id) => document.getElementById(id);
const state = {
  device: null, // {credential, unit, location, name}
  roster: null, // the hub's last roster (cached in IndexedDB for offline names)
  clock: null, // {offset_ms, synced} at the last exchange with the hub
  present: new Set(), // cards of the children present now, as this screen knows it
  own: [], // this screen's scans of today, until a roster asked after their verdict includes them
  recent: new Map(), // code -> {at: performance.now(), wall: Date} for the repeat window
  revoked: false,
  online: false,
  typed: "",
  staffEntry: false,
  backoff: 1000,
  sending: false,
  collecting: new CollectorWindow(), // the collector-card window and the children's recent scans
  refusedHere: new Set(), // collector attempts this screen answered red itself (no second red on the ack)
};
// what the tests and the benchmark read: verdicts from the hub, and frame-to-green times
// (timings: from grabbing the frame to green on the screen; decodes: grabbing and decoding a frame
// that held a code)
window.scanner = { acks: [], greens: [], timings: [], decodes: [], ready: false, offlineReady: false };

// ---------------------------------------------------------------------------------------------
// Rules

export function dammValid(code) {
  if (!/^[0-9]{10}$/.test(code)) return false;
  let interim = 0;
  for (const ch of code) interim = DAMM[interim][Number(ch)];
  return interim === 0;
}

function eventId() {
  // a ULID (what the wire contract takes): 48 bits of time, 80 random bits from crypto.randomUUID()
  const hex = crypto.randomUUID().replace(/-/g, "");
  const random = BigInt("0x" + hex.slice(0, 12) + hex.slice(13, 21)); // skip the version nibble
  let text = "";
  let time = BigInt(Date.now());
  for (let i = 0; i < 10; i++) { text = CROCKFORD[Number(time % 32n)] + text; time /= 32n; }
  let rest = "";
  let bits = random;
  for (let i = 0; i < 16; i++) { rest = CROCKFORD[Number(bits % 32n)] + rest; bits /= 32n; }
  return text + rest;
}

function hhmm(date) {
  return date.toLocaleTimeString("nl-BE", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "Europe/Brussels" });
}

function brusselsDay(date) {
  return date.toLocaleDateString("sv-SE", { timeZone: "Europe/Brussels" }); // YYYY-MM-DD
}

// ---------------------------------------------------------------------------------------------
// Feedback

let feedbackTimer = null;
let audio = null;

function beep(kind) {
  try {
    audio = audio || new AudioContext();
    const tones = { ok: [[880, 0.12]], repeat: [[880, 0.06], [880, 0.06]], refused: [[220, 0.5]], unknown: [[660, 0.12], [440, 0.2]] }[kind] || [[880, 0.1]];
    let at = audio.currentTime;
    for (const [freq, length] of tones) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      osc.type = "square";
      gain.gain.value = 0.15;
      osc.connect(gain).connect(audio.destination);
      osc.start(at);
      osc.stop(at + length);
      at += length + 0.08;
    }
  } catch (error) {
    // no sound on this device: the flash still says it
  }
}

function show(kind, mode, child = "", time = "", message = "") {
  document.body.dataset.state = kind;
  $("mode").textContent = mode;
  $("child").textContent = child;
  $("time").textContent = time;
  $("message").textContent = message;
  beep(kind);
  clearTimeout(feedbackTimer);
  if (kind !== "revoked") feedbackTimer = setTimeout(idle, FEEDBACK_MS);
}

function idle() {
  if (state.revoked) return showRevoked();
  document.body.dataset.state = "idle";
  $("mode").textContent = "Scan je kaart";
  $("child").textContent = "";
  $("time").textContent = "";
  $("message").textContent = "Houd de QR-code van de kaart voor de camera, of tik de cijfers onder de QR-code.";
}

function showRevoked(message) {
  state.revoked = true;
  show("revoked", "Deze scanner is ingetrokken", "", "",
    message || "Registreren kan niet meer op dit toestel. Vraag de verantwoordelijke om het opnieuw als scanner te gebruiken.");
}

function setOnline(online) {
  state.online = online;
  $("connection").dataset.online = String(online);
  $("connection").textContent = online ? "online" : "offline";
}

function addRecent(text) {
  const item = document.createElement("li");
  item.textContent = text;
  $("recent").prepend(item);
  while ($("recent").children.length > 5) $("recent").lastChild.remove();
}

// ---------------------------------------------------------------------------------------------
// One presentation -> one check-in

let busy = false;

async function present(code, source, frameAt) {
  if (busy) return;
  if (state.revoked) return showRevoked();
  if (!dammValid(code)) {
    if (source === "keypad") show("refused", "Foute code", "", "", "Deze cijfers kloppen niet. Kijk ze na en tik ze opnieuw.");
    return; // a QR that fails the check digit is no card of ours: nothing to say
  }
  const collectorName = state.roster && state.roster.collectors && state.roster.collectors[code];
  if (collectorName) return collectorCard(code, collectorName);
  const pairing = state.collecting.childScanned(code, performance.now() / 1000);
  const previous = state.recent.get(code);
  const windowMs = 1000 * ((state.roster && state.roster.repeat_window_s) || 120);
  if (previous && performance.now() - previous.at < windowMs) {
    show("repeat", "Al geregistreerd", nameOf(code), "", `Al geregistreerd om ${hhmm(previous.wall)}`);
    return;
  }
  busy = true;
  try {
    const presenceKnown = Boolean(state.roster && state.roster.presence); // a new day starts with nobody
    const departure = pairing !== null || (presenceKnown ? state.present.has(code) : new Date().getHours() >= 12);
    const directionBy = pairing !== null ? "collector" : presenceKnown ? "presence" : "clock";
    const wall = new Date();
    const clock = state.clock;
    const event = await store.append((seq) => ({
      v: 1,
      type: "checkin",
      id: eventId(),
      unit: state.device.unit,
      location: state.device.location,
      seq,
      direction: departure ? "departure" : "arrival",
      code,
      source,
      wall_time: wall.toISOString(),
      clock_synced: Boolean(clock && clock.synced),
      boot_id: BOOT_ID,
      monotonic: performance.now() / 1000,
      direction_by: directionBy,
      collector: pairing !== null ? pairing.collector.code : undefined,
      clock_offset_ms: clock ? clock.offset_ms : null, // the measured offset travels with the event
    }));
    if (pairing !== null && !pairing.allowed) {
      // sent all the same (the hub keeps the attempt for the opvang); the child's presence stays
      state.refusedHere.add(event.id);
      show("refused", "Tot de volgende keer", nameOf(code), "", NOT_ALLOWED);
      kick();
      return;
    }
    if (pairing === null) state.collecting.childRecorded(code, event.id, performance.now() / 1000);
    // on disk: now the screen may say so
    state.recent.set(code, { at: performance.now(), wall });
    if (departure) state.present.delete(code); else state.present.add(code);
    state.own.push({ id: event.id, code, direction: event.direction, wall_time: event.wall_time, acked_at: null });
    store.put("own", state.own).catch(() => {}); // the outbox has the event anyway
    const name = nameOf(code);
    const known = Boolean(state.roster && state.roster.roster[code]);
    const gone = Boolean(state.roster && state.roster.departed && state.roster.departed[code]);
    const mode = departure ? "Tot de volgende keer" : "Welkom in de opvang";
    if (gone) show("unknown", mode, name, hhmm(wall), "Niet meer ingeschreven: de verantwoordelijke kijkt het na.");
    else if (!known) show("unknown", mode, "Onbekende kaart", hhmm(wall), "Bewaard: de verantwoordelijke kijkt het na.");
    else if (pairing !== null) show("ok", mode, name, hhmm(wall), `Opgehaald door ${pairing.collector.name}`);
    else show("ok", mode, name, hhmm(wall), state.online ? "" : "Bewaard op dit toestel: gaat naar de hub zodra er verbinding is.");
    addRecent(`${hhmm(wall)} ${departure ? "vertrek" : "aankomst"} ${name}`);
    window.scanner.greens.push({ id: event.id, code, direction: event.direction });
    if (frameAt !== undefined) window.scanner.timings.push(performance.now() - frameAt);
    kick();
  } catch (error) {
    show("refused", "NIET bewaard", "", "", "Dit toestel kon de registratie niet bewaren. Probeer opnieuw.");
  } finally {
    busy = false;
  }
}

// A collector's card: opens the window; names the listed children's scans just before it.
async function collectorCard(code, name) {
  const roster = state.roster;
  const late = state.collecting.collectorScanned(
    code,
    name,
    childrenOf((roster.collector_children || {})[code]),
    performance.now() / 1000,
    childrenOf((roster.collector_refused || {})[code]),
  );
  if (!late.length) {
    show("ok", "Ophaalkaart", name, "", "Toon nu de kaart van het kind");
    return;
  }
  busy = true;
  try {
    const wall = new Date();
    for (const item of late) {
      const collection = await store.append((seq) => ({
        v: 1,
        type: "collection",
        id: eventId(),
        unit: state.device.unit,
        location: state.device.location,
        seq,
        event: item.scan.eventId,
        code: item.scan.code,
        collector: code,
        wall_time: wall.toISOString(),
      }));
      if (!item.allowed) {
        state.refusedHere.add(collection.id);
        continue;
      }
      state.present.delete(item.scan.code);
      state.recent.set(item.scan.code, { at: performance.now(), wall });
      state.own.push({ id: collection.id, code: item.scan.code, direction: "departure", wall_time: collection.wall_time, acked_at: null });
    }
    store.put("own", state.own).catch(() => {});
    const names = late.map((item) => nameOf(item.scan.code)).join(", ");
    if (late.some((item) => !item.allowed)) {
      show("refused", "Ophaalkaart", name, "", NOT_ALLOWED);
    } else {
      show("ok", "Tot de volgende keer", names, hhmm(wall), `Opgehaald door ${name}`);
      addRecent(`${hhmm(wall)} vertrek ${names} (opgehaald door ${name})`);
    }
    kick();
  } catch (error) {
    show("refused", "NIET bewaard", "", "", "Dit toestel kon de registratie niet bewaren. Probeer opnieuw.");
  } finally {
    busy = false;
  }
}

function nameOf(code) {
  const roster = state.roster || { roster: {}, departed: {} };
  return roster.roster[code] || (roster.departed || {})[code] || "Onbekende kaart";
}

// ---------------------------------------------------------------------------------------------
// Talking to the hub

async function call(method, path, body) {
  const sentAt = Date.now();
  const response = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${state.device.credential}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  const answer = await response.json().catch(() => ({}));
  if (typeof answer.server_time === "number") {
    // the hub's time against the middle of the exchange; synced only within 2 s
    const offset = Math.round(Date.now() / 2 + sentAt / 2 - answer.server_time);
    state.clock = { offset_ms: offset, synced: Math.abs(offset) <= CLOCK_SYNC_MS };
    store.put("clock", state.clock);
  }
  setOnline(true);
  if (answer.error === "revoked" || answer.error === "unknown") {
    showRevoked(answer.message);
    const error = new Error(answer.error);
    error.final = true;
    throw error;
  }
  return { status: response.status, answer };
}

async function refreshRoster() {
  const askedAt = Date.now();
  const { status, answer } = await call("GET", "/scanner/api/roster");
  if (status !== 200) return;
  state.roster = answer;
  await store.put("roster", answer);
  // own scans the hub had answered before this roster was asked for are in its presence now
  const today = brusselsDay(new Date());
  state.own = state.own.filter((o) => brusselsDay(new Date(o.wall_time)) === today && !(o.acked_at && o.acked_at < askedAt));
  await store.put("own", state.own);
  applyPresence();
  $("location").textContent = `${answer.location_name} — ${answer.name}`;
}

async function applyPresence() {
  // the hub's presence of today, with this screen's own scans on top until the hub has them
  const today = brusselsDay(new Date());
  const roster = state.roster;
  state.present = new Set(roster && roster.presence && roster.presence.day === today ? roster.presence.present : []);
  const effects = [...(await store.pending()), ...state.own];
  for (const event of effects) {
    if (event.type === "collection") continue; // an allowed one is among own, as a departure
    if (brusselsDay(new Date(event.wall_time)) !== today) continue;
    if (event.direction === "arrival") state.present.add(event.code); else state.present.delete(event.code);
  }
}

async function heartbeat() {
  try {
    const backlog = await store.count();
    await call("POST", "/scanner/api/status", { backlog, version: VERSION });
    if (backlog) kick(); // the hub is back: send now, not at the end of the back-off
  } catch (error) {
    if (!error.final) setOnline(false);
  }
}

let kickTimer = null;
const held = new Map(); // event id -> when to offer again (refused without being kept)

function kick(delay = 0) {
  clearTimeout(kickTimer);
  kickTimer = setTimeout(drain, delay);
}

// Send the outbox oldest first; delete an event only on a verdict that says the hub has it.
async function drain() {
  if (state.sending || state.revoked) return;
  state.sending = true;
  let retryIn = null;
  try {
    for (const event of await store.pending()) {
      if ((held.get(event.id) || 0) > Date.now()) continue;
      const { status, answer } = await call("POST", "/scanner/api/checkin", event);
      const ack = answer.ack;
      if (status === 200 && ack && ack.id === event.id) {
        window.scanner.acks.push({ id: ack.id, verdict: ack.verdict, kept: ack.kept || false });
        if (ack.verdict === "refused" && ack.reason === "collector_not_allowed" && !state.refusedHere.has(ack.id)) {
          show("refused", "Ophalen", nameOf(event.code), "", NOT_ALLOWED); // the hub knows better than the roster
            }
        state.refusedHere.delete(ack.id);
        for (const own of state.own) if (own.id === ack.id) own.acked_at = Date.now();
        store.put("own", state.own).catch(() => {});
        if (ack.verdict !== "refused" || ack.kept) {
          await store.remove(event.id);
        } else {
          held.set(event.id, Date.now() + 3600 * 1000); // junk to the hub: offered again in an hour
          retryIn = 3600 * 1000;
        }
        continue;
      }
      retryIn = state.backoff; // the hub gave no verdict now (busy, over quota): later
      break;
    }
    state.backoff = 1000;
  } catch (error) {
    if (!error.final) {
      setOnline(false);
      retryIn = state.backoff;
      state.backoff = Math.min(MAX_BACKOFF_MS, state.backoff * 2);
    }
  } finally {
    state.sending = false;
  }
  if (retryIn !== null) kick(retryIn);
  $("menu-outbox").textContent = String(await store.count());
}

// ---------------------------------------------------------------------------------------------
// Camera and decoder

async function decoder() {
  if ("BarcodeDetector" in window) {
    try {
      const formats = await BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) {
        const detector = new BarcodeDetector({ formats: ["qr_code"] });
        return async (video) => (await detector.detect(video)).map((code) => code.rawValue);
      }
    } catch (error) {
      // fall through to the vendored decoder
    }
  }
  const zxing = await import("./vendor/zxing-wasm/es/reader/index.js");
  await zxing.prepareZXingModule({
    overrides: {
      locateFile: (path, prefix) =>
        path.endsWith(".wasm") ? new URL(`./vendor/zxing-wasm/reader/${path}`, import.meta.url).href : prefix + path,
    },
    fireImmediately: true,
  });
  const canvas = $("frame");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return async (video) => {
    const scale = Math.min(1, 960 / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const found = await zxing.readBarcodes(image, { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 });
    return found.filter((r) => r.isValid).map((r) => r.text);
  };
}

async function startCamera() {
  const video = $("video");
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
    video.srcObject = stream;
    await video.play();
  } catch (error) {
    $("camera-status").textContent = "Geen camera: tik de cijfers onder de QR-code.";
    return;
  }
  let read;
  try {
    read = await decoder();
  } catch (error) {
    $("camera-status").textContent = "De QR-lezer start niet: tik de cijfers onder de QR-code.";
    return;
  }
  $("camera-status").textContent = "Camera aan";
  const lastSeen = new Map(); // code -> when a frame last showed it
  const loop = async () => {
    const frameAt = performance.now();
    if (video.readyState >= 2 && video.videoWidth) {
      try {
        const texts = await read(video);
        if (texts.length) window.scanner.decodes.push(performance.now() - frameAt);
        for (const text of texts) {
          const code = text.trim();
          const seen = lastSeen.get(code);
          lastSeen.set(code, frameAt);
          // a card held in view for seconds is one presentation: new only after 1.5 s out of view
          if (seen === undefined || frameAt - seen > PRESENTATION_GAP_MS) await present(code, "qr", frameAt);
        }
      } catch (error) {
        // a frame the decoder could not read is nothing read
      }
    }
    setTimeout(loop, Math.max(0, SCAN_EVERY_MS - (performance.now() - frameAt)));
  };
  loop();
}

// ---------------------------------------------------------------------------------------------
// Keypad and staff menu

function showTyped() {
  const digits = state.typed;
  $("typed").textContent = state.staffEntry ? "•".repeat(digits.length) : digits.replace(/(\d{3})(\d{3})?(\d*)/, (_m, a, b, c) => [a, b, c].filter(Boolean).join(" "));
}

async function key(k) {
  if (k === "clear") state.typed = state.typed.slice(0, -1);
  else if (k === "ok") {
    const typed = state.typed;
    state.typed = "";
    showTyped();
    if (state.staffEntry) return staffCode(typed);
    return present(typed, "keypad");
  } else if (state.typed.length < 12) state.typed += k;
  showTyped();
}

async function staffCode(code) {
  state.staffEntry = false;
  const staff = state.roster && state.roster.staff;
  if (!staff) return show("refused", "Geen scannercode", "", "", "Er is nog geen scannercode ingesteld voor deze opvang.");
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(code), "PBKDF2", false, ["deriveBits"]);
  const salt = Uint8Array.from(staff.salt.match(/../g).map((h) => parseInt(h, 16)));
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: staff.iterations }, material, 256);
  const hex = [...new Uint8Array(bits)].map((b) => b.toString(16).padStart(2, "0")).join("");
  if (hex !== staff.hash) return show("refused", "Foute scannercode", "", "", "");
  await openMenu();
}

async function openMenu() {
  $("menu-name").textContent = state.device.name;
  $("menu-unit").textContent = state.device.unit;
  $("menu-location").textContent = state.roster ? state.roster.location_name : state.device.location;
  $("menu-outbox").textContent = String(await store.count());
  $("menu-connection").textContent = state.online ? "online" : "offline";
  $("menu-clock").textContent = state.clock
    ? `${state.clock.synced ? "gelijk" : "NIET gelijk"} met de hub (${(state.clock.offset_ms / 1000).toFixed(1)} s)`
    : "nog niet vergeleken";
  $("menu").showModal();
}

// ---------------------------------------------------------------------------------------------
// Start

async function main() {
  state.device = await store.get("device");
  if (!state.device) {
    show("revoked", "Geen scanner", "", "", "Dit toestel is nog niet ingeschreven: open in het portaal Scannertoestel.");
    return;
  }
  state.roster = (await store.get("roster")) || null;
  state.clock = (await store.get("clock")) || null;
  state.own = (await store.get("own")) || [];
  await applyPresence();
  if (state.roster) $("location").textContent = `${state.roster.location_name} — ${state.roster.name}`;
  for (const button of document.querySelectorAll("[data-key]")) button.addEventListener("click", () => key(button.dataset.key));
  $("staff").addEventListener("click", () => { state.staffEntry = true; state.typed = ""; showTyped(); show("idle", "Scannercode", "", "", "Tik de scannercode en OK."); });
  $("menu-close").addEventListener("click", () => $("menu").close());
  $("fullscreen").addEventListener("click", () => document.documentElement.requestFullscreen().catch(() => {}));
  window.addEventListener("online", () => { refreshRoster().catch(() => {}); kick(); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/scanner/sw.js", { scope: "/scanner/" }).catch(() => {});
    navigator.serviceWorker.ready.then(() => { window.scanner.offlineReady = true; });
  }
  idle();
  // names and presence first (a few seconds at most): the first scans after a start then follow
  // the children's presence; offline, the cached roster does
  await Promise.race([
    refreshRoster().catch((error) => { if (!error.final) setOnline(false); }),
    new Promise((resolve) => setTimeout(resolve, 5000)),
  ]);
  setInterval(heartbeat, 1000 * ((state.roster && state.roster.heartbeat_s) || 20));
  setInterval(() => refreshRoster().catch(() => {}), 60000);
  heartbeat();
  kick();
  window.scanner.ready = true;
  await startCamera();
  window.scanner.cameraReady = true;
}

main();
