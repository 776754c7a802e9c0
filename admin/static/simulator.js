// The WhatsApp simulator: one client's chat with the bot, through the real webhook (demo only).
// The chat shown is the chosen business and number's own: switching either opens that chat afresh, and answers
// still on their way for the chat left behind are dropped. The server escapes and formats every bubble's text.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const data = JSON.parse($("simulator-data").textContent);
  const S = data.strings;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const chat = $("chat"), errorBox = $("error"), business = $("business"), number = $("wa_id"), nameInput = $("name");
  const text = $("text"), photoPanel = $("photo-panel"), locationPanel = $("location-panel");
  const WA_ID = /^\d{8,15}$/;
  const FAST_MS = 700, IDLE_MS = 2500, FAST_FOR_MS = 30000;

  let chatKey = null;   // "<phone_number_id> <wa_id>" of the chat shown
  let cursor = { in: 0, out: 0 };
  let shown = new Set();
  let loaded = false;
  let running = null, rerun = false, timer = null, lastSend = 0;

  function el(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function showError(message) { errorBox.textContent = message; return false; }
  function clearError() { errorBox.textContent = ""; }
  function scrollDown() { chat.scrollTop = chat.scrollHeight; }

  // --- which chat ---------------------------------------------------------------------------------

  function knownClients() { return data.clients.filter((c) => c.business === business.value); }

  function fillNumbers() {
    const list = $("known-numbers");
    list.replaceChildren(...knownClients().map((c) => { const o = el("option", null, c.name); o.value = c.wa_id; return o; }));
  }

  function openChat() {
    const wa = number.value.trim();
    if (!WA_ID.test(wa)) return showError(S.bad_number);
    const key = business.value + " " + wa;
    if (key === chatKey) return true;
    chatKey = key;
    cursor = { in: 0, out: 0 };
    shown = new Set();
    loaded = false;
    chat.replaceChildren();
    clearError();
    const known = knownClients().find((c) => c.wa_id === wa);
    if (known && known.name) nameInput.value = known.name;
    const url = new URL(window.location.href);
    url.searchParams.set("wa_id", wa);
    window.history.replaceState(null, "", url);
    poll();
    return true;
  }

  // --- what the chat shows ------------------------------------------------------------------------

  function poll() {
    if (running) { rerun = true; return running; }
    running = (async () => {
      try {
        do { rerun = false; await fetchNewer(); } while (rerun);
      } finally {
        running = null;
      }
    })();
    return running;
  }

  async function fetchNewer() {
    const key = chatKey;
    if (!key) return;
    const [phoneNumberId, wa] = key.split(" ");
    const params = new URLSearchParams({ chat: wa, business: phoneNumberId, after_in: cursor.in, after_out: cursor.out });
    let answer;
    try {
      const r = await fetch("/simulator?" + params, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (!r.ok) return;
      answer = await r.json();
    } catch (e) {
      return;
    }
    if (key !== chatKey) { rerun = true; return; }  // the chat was switched meanwhile: this is the old one's
    cursor = { in: Math.max(cursor.in, answer.after_in), out: Math.max(cursor.out, answer.after_out) };
    answer.messages.forEach(render);
    if (!loaded) {
      loaded = true;
      if (answer.name) nameInput.value = answer.name;  // a client the business knows writes under their own name
      if (!chat.querySelector(".msg")) chat.appendChild(el("div", "notice", S.empty_chat));
    }
  }

  function tick() {
    clearTimeout(timer);
    timer = setTimeout(async () => { await poll(); tick(); }, Date.now() - lastSend < FAST_FOR_MS ? FAST_MS : IDLE_MS);
  }

  function render(m) {
    if (shown.has(m.key)) return;
    shown.add(m.key);
    const notice = chat.querySelector(".notice");
    if (notice) notice.remove();
    const bubble = el("div", "msg " + (m.from === "me" ? "me" : "bot"));
    bubble.dataset.kind = m.kind;
    if (m.kind === "image") bubble.appendChild(m.image ? photo(m.image) : el("div", "photo-missing", "📷 " + S.photo));
    if (m.location) bubble.appendChild(placeCard(m.location));
    if (m.html) {
      const body = el("div", "text");
      body.innerHTML = m.html;  // escaped first, then formatted, by the server (admin/simulator_format.py)
      bubble.appendChild(body);
    }
    if (m.choices && m.choices.length) {
      const box = el("div", "choices");
      m.choices.forEach((c) => box.appendChild(choice(c)));
      bubble.appendChild(box);
    }
    bubble.appendChild(el("span", "time", m.time));
    chat.appendChild(bubble);
    scrollDown();
  }

  function photo(src) {
    const img = el("img", "photo");
    img.alt = S.photo;
    img.addEventListener("load", scrollDown);
    img.src = src;
    return img;
  }

  function placeCard(place) {
    const card = el("div", "place");
    card.appendChild(el("strong", null, "📍 " + (place.name || place.address || `${place.latitude}, ${place.longitude}`)));
    if (place.name && place.address) card.appendChild(el("span", null, place.address));
    card.appendChild(el("small", null, `${place.latitude}, ${place.longitude}`));
    const map = el("a", null, S.open_map);
    map.href = `https://www.openstreetmap.org/?mlat=${place.latitude}&mlon=${place.longitude}#map=17/${place.latitude}/${place.longitude}`;
    map.target = "_blank";
    map.rel = "noopener noreferrer";
    card.appendChild(map);
    return card;
  }

  function choice(c) {
    const button = el("button", null, c.title);
    button.type = "button";
    if (c.description) button.appendChild(el("small", null, c.description));
    button.addEventListener("click", () => sendJson({ reply_id: c.id, reply_title: c.title, reply_kind: c.kind }));
    return button;
  }

  // --- sending --------------------------------------------------------------------------------------

  function sender() {
    return { phone_number_id: business.value, wa_id: number.value.trim(), name: nameInput.value };
  }

  async function post(body, headers) {
    clearError();
    let r;
    try {
      r = await fetch("/simulator/send", { method: "POST", headers: Object.assign({ "X-CSRF-Token": csrf }, headers), body: body });
    } catch (e) {
      return showError(S.unreachable);
    }
    let answer = {};
    try { answer = await r.json(); } catch (e) { /* an answer that is not ours */ }
    if (!r.ok) return showError(answer.error || S.not_accepted);
    lastSend = Date.now();
    poll();
    tick();
    return true;
  }

  function sendJson(extra) {
    if (!openChat()) return Promise.resolve(false);  // a number typed but not yet opened goes from that number
    return post(JSON.stringify(Object.assign(sender(), extra)), { "Content-Type": "application/json" });
  }

  $("composer").addEventListener("submit", async (e) => {
    e.preventDefault();
    const typed = text.value.trim();
    if (!typed) return;
    text.value = "";
    if (!(await sendJson({ text: typed })) && !text.value) text.value = typed;
  });

  // --- photo and location sheets ----------------------------------------------------------------------

  function toggleSheet(panel, button) {
    const opening = panel.hidden;
    closeSheets();
    if (opening) {
      panel.hidden = false;
      button.setAttribute("aria-expanded", "true");
      const first = panel.querySelector("input, button:not([hidden])");
      if (first) first.focus();
    }
  }

  function closeSheets() {
    photoPanel.hidden = locationPanel.hidden = true;
    $("open-photo").setAttribute("aria-expanded", "false");
    $("open-location").setAttribute("aria-expanded", "false");
  }

  $("open-photo").addEventListener("click", () => toggleSheet(photoPanel, $("open-photo")));
  $("open-location").addEventListener("click", () => toggleSheet(locationPanel, $("open-location")));
  document.querySelectorAll("[data-close]").forEach((b) => b.addEventListener("click", closeSheets));
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") closeSheets(); });

  const photoFile = $("photo-file"), caption = $("photo-caption"), preview = $("photo-preview");

  photoFile.addEventListener("change", () => {
    const file = photoFile.files[0];
    preview.hidden = true;
    clearError();
    if (!file) return;
    if (!["image/jpeg", "image/png"].includes(file.type)) { showError(S.wrong_type); return; }
    if (file.size > data.max_image_bytes) { showError(S.too_big); return; }
    const reader = new FileReader();
    reader.addEventListener("load", () => { preview.src = reader.result; preview.hidden = false; });
    reader.readAsDataURL(file);
  });

  $("photo-share").addEventListener("click", async () => {
    const file = photoFile.files[0];
    if (!file) return showError(S.choose_image);
    if (file.type && !["image/jpeg", "image/png"].includes(file.type)) return showError(S.wrong_type);
    if (file.size > data.max_image_bytes) return showError(S.too_big);
    if (!openChat()) return false;
    const form = new FormData();
    Object.entries(sender()).forEach(([k, v]) => form.append(k, v));
    form.append("caption", caption.value.trim());
    form.append("image", file, file.name);
    if (await post(form, {})) {
      closeSheets();
      photoFile.value = "";
      caption.value = "";
      preview.hidden = true;
    }
    return true;
  });

  const lat = $("loc-lat"), lon = $("loc-lon"), placeName = $("loc-name"), address = $("loc-address");
  const studioButton = $("location-studio");

  function fillPlace(place) {
    lat.value = place.latitude;
    lon.value = place.longitude;
    placeName.value = place.name || "";
    address.value = place.address || "";
  }

  function showStudio() {
    const studio = data.businesses[business.value] || {};
    const located = studio.latitude !== undefined && studio.longitude !== undefined;
    studioButton.hidden = !located;
    locationPanel.querySelector("[data-hint-studio]").hidden = !located;
    locationPanel.querySelector("[data-hint-nowhere]").hidden = located;
    if (located) {
      studioButton.querySelector("[data-place-name]").textContent = studio.name;
      studioButton.querySelector("[data-place-address]").textContent = studio.address || `${studio.latitude}, ${studio.longitude}`;
      fillPlace(studio);
    } else {
      fillPlace(data.example_place);
    }
  }

  function coordinate(input, limit) {
    const value = Number(input.value.trim().replace(",", "."));
    return input.value.trim() !== "" && Number.isFinite(value) && Math.abs(value) <= limit ? value : null;
  }

  async function shareLocation() {
    const latitude = coordinate(lat, 90), longitude = coordinate(lon, 180);
    if (latitude === null || longitude === null) return showError(S.bad_place);
    const place = { latitude: latitude, longitude: longitude, name: placeName.value.trim(), address: address.value.trim() };
    if (await sendJson({ location: place })) closeSheets();
    return true;
  }

  $("location-share").addEventListener("click", shareLocation);
  studioButton.addEventListener("click", () => { fillPlace(data.businesses[business.value]); shareLocation(); });

  // --- switching chats ----------------------------------------------------------------------------------

  number.addEventListener("change", openChat);
  number.addEventListener("input", () => {  // a pick from the list opens at once; typing waits for the number to be done
    if (knownClients().some((c) => c.wa_id === number.value.trim())) openChat();
  });
  business.addEventListener("change", () => { fillNumbers(); showStudio(); openChat(); });

  fillNumbers();
  showStudio();
  openChat();
  tick();
})();
