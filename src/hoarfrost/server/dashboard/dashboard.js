// The hoarfrost dashboard: what the admin API holds, kept current by the event stream.
//
// Data flow: GET /_hoarfrost/summary once the event stream is open (so nothing changes unseen
// between the two), then one `change` event per state change; each changed scope is fetched
// again (GET /_hoarfrost/summary?service=&account=&region=), at most once per DEBOUNCE_MS while
// changes keep coming. `clock` events move the clock display. Every name shown comes from the
// emulator's users, so text is only ever set with textContent, never parsed as HTML.
"use strict";

(() => {
  const API = "/_hoarfrost";
  const DEBOUNCE_MS = 150;
  const ACTIVITY_LIMIT = 100;
  const CONFIRM_MS = 4000;

  const scopes = new Map(); // "service|account|region" -> summary entry
  const timers = new Map(); // scope key -> pending refresh timer
  const latest = new Map(); // scope key -> number of the newest refresh asked for
  const open = new Set(); // "scope key/collection" of expanded collections
  const cards = new Map(); // scope key -> {json, node}: a card whose scope did not change is kept
  let changed = new Set(); // scope keys to highlight on the next render
  let clock = null; // {now (ms, emulator), at (ms, local), offset (s)}
  let events = null;

  const $ = (id) => document.getElementById(id);
  const scopeKey = (s) => `${s.service}|${s.account}|${s.region}`;

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function say(text, isError) {
    const footer = $("message");
    footer.textContent = text;
    footer.dataset.error = isError ? "true" : "false";
  }

  async function getJson(url, options) {
    const response = await fetch(url, options);
    let body = null;
    try { body = await response.json(); } catch (_) { /* not JSON: the status says enough */ }
    if (!response.ok) throw new Error((body && (body.message || body.error)) || `HTTP ${response.status}`);
    return body;
  }

  // -- the clock ------------------------------------------------------------------------------
  function duration(seconds) {
    let rest = Math.floor(seconds);
    const parts = [];
    for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]]) {
      if (rest >= size) { parts.push(`${Math.floor(rest / size)}${unit}`); rest %= size; }
    }
    if (rest || !parts.length) parts.push(`${rest}s`);
    return parts.join(" ");
  }

  function setClock(document_) {
    if (!document_) return;
    clock = { now: Date.parse(document_.now), at: Date.now(), offset: Number(document_.offset) || 0 };
    drawClock();
  }

  function drawClock() {
    const node = $("clock");
    if (!clock || clock.offset <= 0) { node.hidden = true; node.dataset.offset = "0"; return; }
    const now = new Date(clock.now + (Date.now() - clock.at));
    node.hidden = false;
    node.dataset.offset = String(clock.offset);
    node.dataset.now = now.toISOString();
    node.textContent = `emulator clock ${now.toISOString().replace("T", " ").slice(0, 19)} UTC ` +
      `(+${duration(clock.offset)} ahead)`;
    node.title = "the emulator's clock was moved (POST /_hoarfrost/clock); times in state are on this clock";
  }

  // -- loading --------------------------------------------------------------------------------
  async function refreshAll() {
    try {
      const summary = await getJson(`${API}/summary`);
      scopes.clear();
      for (const entry of summary.scopes) scopes.set(scopeKey(entry), entry);
      setClock(summary.clock);
      render();
    } catch (error) {
      say(`could not load the state summary: ${error.message}`, true);
    }
  }

  async function refreshScope(service, account, region) {
    const key = scopeKey({ service, account, region });
    const number = (latest.get(key) || 0) + 1;
    latest.set(key, number);
    try {
      const query = new URLSearchParams({ service, account, region });
      const summary = await getJson(`${API}/summary?${query}`);
      if (latest.get(key) !== number) return; // a newer refresh of this scope is on its way
      const entry = summary.scopes.find((found) => scopeKey(found) === key);
      if (entry) scopes.set(key, entry); else scopes.delete(key);
      changed.add(key);
      setClock(summary.clock);
      render();
    } catch (error) {
      say(`could not refresh ${service} ${account}/${region}: ${error.message}`, true);
    }
  }

  function schedule(change) {
    const key = scopeKey(change);
    if (timers.has(key)) return;
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      refreshScope(change.service, change.account, change.region);
    }, DEBOUNCE_MS));
  }

  // -- the event stream -----------------------------------------------------------------------
  function setConnection(state) {
    const node = $("connection");
    node.dataset.state = state;
    node.textContent = state;
  }

  function logActivity(text, detail) {
    const list = $("activity");
    const time = new Date().toTimeString().slice(0, 8);
    list.prepend(el("li", {}, `${time} `, el("span", { class: "op" }, text), detail ? ` ${detail}` : ""));
    while (list.children.length > ACTIVITY_LIMIT) list.lastElementChild.remove();
  }

  function connect() {
    events = new EventSource(`${API}/events`);
    events.onopen = () => {
      setConnection("live");
      refreshAll(); // whatever changed while no stream was open
    };
    events.onerror = () => {
      setConnection("reconnecting");
      if (events.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
    };
    events.addEventListener("change", (message) => {
      const change = JSON.parse(message.data);
      logActivity(change.operation || "change", `${change.service} ${change.account}/${change.region}`);
      schedule(change);
    });
    events.addEventListener("clock", (message) => {
      const moved = JSON.parse(message.data);
      setClock(moved);
      logActivity("clock", moved.offset > 0 ? `+${duration(moved.offset)} ahead` : "back to real time");
    });
    events.addEventListener("dropped", () => setConnection("reconnecting"));
  }

  // -- actions --------------------------------------------------------------------------------
  // A destructive button asks once more in place (no modal dialog): the first click arms it.
  function confirmButton(label, action) {
    const button = el("button", { type: "button", class: "danger" }, label);
    let armed = null;
    button.addEventListener("click", async () => {
      if (!armed) {
        button.textContent = "Confirm reset";
        button.classList.add("confirming");
        armed = setTimeout(() => { armed = null; button.textContent = label; button.classList.remove("confirming"); },
          CONFIRM_MS);
        return;
      }
      clearTimeout(armed);
      armed = null;
      button.disabled = true;
      try {
        await action();
      } catch (error) {
        say(error.message, true);
      } finally {
        button.disabled = false;
        button.textContent = label;
        button.classList.remove("confirming");
      }
    });
    return button;
  }

  async function resetScope(entry) {
    const query = new URLSearchParams({ account: entry.account, region: entry.region });
    await getJson(`${API}/state/${encodeURIComponent(entry.service)}?${query}`, { method: "DELETE" });
    say(`reset ${entry.service} ${entry.account}/${entry.region}`);
    await refreshScope(entry.service, entry.account, entry.region);
  }

  async function resetAll() {
    await getJson(`${API}/state`, { method: "DELETE" });
    say("reset everything");
    await refreshAll();
  }

  // -- rendering ------------------------------------------------------------------------------
  function fillFilter(select, values) {
    const chosen = select.value;
    select.replaceChildren(el("option", { value: "" }, "all"));
    for (const value of [...values].sort()) select.append(el("option", { value }, value));
    select.value = values.has(chosen) ? chosen : "";
  }

  function collectionNode(key, collection) {
    const id = `${key}/${collection.name}`;
    const items = el("ul", { class: "items" });
    for (const item of collection.items) {
      const counts = Object.entries(item.counts).map(([name, count]) =>
        el("span", { "data-count": name, "data-value": count }, `${name} ${count}`));
      const countNodes = [];
      counts.forEach((node, index) => { if (index) countNodes.push(" · "); countNodes.push(node); });
      items.append(el("li", { "data-item": item.name },
        el("span", { class: "name" }, item.name),
        counts.length ? el("span", { class: "counts" }, ...countNodes) : null));
    }
    if (collection.truncated) {
      items.append(el("li", { class: "none" }, `… ${collection.count - collection.items.length} more`));
    }
    const details = el("details", { "data-collection": collection.name, open: open.has(id) },
      el("summary", {}, el("span", {}, collection.name.replaceAll("_", " ")),
        el("span", { class: "count", "data-value": collection.count }, collection.count)),
      items);
    details.addEventListener("toggle", () => { if (details.open) open.add(id); else open.delete(id); });
    return details;
  }

  function scopeNode(key, entry) {
    const query = new URLSearchParams({ account: entry.account, region: entry.region });
    const snapshot = `${API}/state/${encodeURIComponent(entry.service)}?${query}`;
    const card = el("article", { class: changed.has(key) ? "scope changed" : "scope", "data-scope": key,
      "data-service": entry.service, "data-account": entry.account, "data-region": entry.region },
      el("h2", {}, entry.service),
      el("div", { class: "where" }, `${entry.account} · ${entry.region}`));
    if (entry.error) card.append(el("p", { class: "error" }, entry.error.message));
    if (!entry.collections.length && !entry.error) card.append(el("p", { class: "none" }, "no resources"));
    for (const collection of entry.collections) card.append(collectionNode(key, collection));
    card.append(el("div", { class: "actions" },
      el("a", { class: "button", href: snapshot, download: `${entry.service}-${entry.account}-${entry.region}.json`,
        "data-action": "download" }, "Download snapshot"),
      confirmButton("Reset", () => resetScope(entry))));
    return card;
  }

  function render() {
    const accounts = new Set();
    const regions = new Set();
    for (const entry of scopes.values()) { accounts.add(entry.account); regions.add(entry.region); }
    fillFilter($("filter-account"), accounts);
    fillFilter($("filter-region"), regions);
    const account = $("filter-account").value;
    const region = $("filter-region").value;
    const shown = [...scopes.entries()]
      .filter(([, entry]) => (!account || entry.account === account) && (!region || entry.region === region))
      .sort(([, a], [, b]) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region) ||
        a.service.localeCompare(b.service));
    const section = $("scopes");
    const empty = $("empty");
    const nodes = shown.map(([key, entry]) => {
      // Kept as it is when its scope did not change, with whatever a person was doing in it
      // (an armed reset button, a scroll position).
      const json = JSON.stringify(entry);
      const cached = cards.get(key);
      if (cached && cached.json === json) return cached.node;
      const node = scopeNode(key, entry);
      cards.set(key, { json, node });
      return node;
    });
    for (const key of [...cards.keys()]) if (!scopes.has(key)) cards.delete(key);
    section.replaceChildren(empty, ...nodes);
    empty.hidden = shown.length > 0;
    changed = new Set();
    document.body.dataset.scopes = String(scopes.size);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("filter-account").addEventListener("change", render);
    $("filter-region").addEventListener("change", render);
    const resetButton = confirmButton("Reset everything", resetAll);
    resetButton.id = "reset-all";
    $("reset-all").replaceWith(resetButton);
    setInterval(drawClock, 1000);
    connect();
  });
})();
