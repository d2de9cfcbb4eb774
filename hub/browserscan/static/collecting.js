// Collector cards at the door: the pairing rule, without I/O. The same rule as wire/collecting.py
// (the Raspberry Pi units and the hub); tests/support/collecting_cases.json is the table of cases
// both pass. Times are seconds on a clock that only goes forward (performance.now() / 1000).
//
// Collector card first: the window opens; a child's card within it is a departure "opgehaald door"
// that person (sent with direction_by "collector"). The first child's card pairs whoever's it is (a
// child the person may not collect is refused); after it only the person's listed children pair
// (siblings), another family's child is an ordinary scan. Child's card first: its scan went out as
// an ordinary event; a collector card within the window names it (a "collection" message), for
// children the person is listed for (may collect, or a contact who may not: refused).

export const DEFAULT_WINDOW_S = 20;

function lists(collector, code) {
  return collector.children.has(code) || collector.refused.has(code);
}

export class CollectorWindow {
  constructor(windowS = DEFAULT_WINDOW_S) {
    this.windowS = windowS;
    this.open = null; // {code, name, children: Set, refused: Set, until, paired}
    this.recent = []; // children's ordinary scans: {code, eventId, at}
  }

  // A collector card: opens (or re-opens) the window; returns the collections of the listed
  // children's ordinary scans within the window before it, oldest first, each named once:
  // [{collector, scan, allowed}].
  collectorScanned(code, name, children, now, refused = []) {
    this.open = {
      code,
      name,
      children: new Set(children),
      refused: new Set(refused),
      until: now + this.windowS,
      paired: false,
    };
    const late = [];
    const kept = [];
    for (const scan of this.recent) {
      if (now - scan.at > this.windowS) continue;
      if (lists(this.open, scan.code)) late.push({ collector: this.open, scan, allowed: this.open.children.has(scan.code) });
      else kept.push(scan);
    }
    this.recent = kept;
    if (late.length) this.open.paired = true; // someone else's child scans as usual now
    return late;
  }

  // A child's card: {collector, allowed} when a collector's window is open for it, else null (an
  // ordinary scan: note it with childRecorded).
  childScanned(code, now) {
    const open = this.pending(now);
    if (open === null) {
      this.open = null;
      return null;
    }
    if (open.paired && !lists(open, code)) return null;
    open.paired = true;
    return { collector: open, allowed: open.children.has(code) };
  }

  // An ordinary scan of a child's card went out as eventId: a collector card may still name it.
  childRecorded(code, eventId, now) {
    this.recent = this.recent.filter((s) => now - s.at <= this.windowS && s.code !== code);
    this.recent.push({ code, eventId, at: now });
  }

  pending(now) {
    return this.open !== null && now <= this.open.until ? this.open : null;
  }
}

// The space-separated card codes of collector_children / collector_refused as an array.
export function childrenOf(field) {
  return (field || "").split(/\s+/).filter(Boolean);
}
