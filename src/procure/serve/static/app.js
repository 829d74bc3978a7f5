// The what-if page: send the form on each change, show the server's answer. Plain script,
// served by procure itself; every fragment it inserts was rendered (and escaped) on the server.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const form = document.getElementById("controls");
  const criteria = ["security", "flexibility", "scalability", "cost"];
  const $ = (id) => document.getElementById(id);
  let latest = 0;
  let shown = 0; // the job whose award and plan the page shows
  let pollTimer = null;
  let typingTimer = null;

  const body = () => new URLSearchParams(new FormData(form)).toString();
  const post = (url, data) =>
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrf },
      body: data,
    });

  function showWeights() {
    for (const c of criteria) $("w_" + c + "-shown").textContent = Number($("w_" + c).value).toFixed(4);
  }

  // one slider moved: the others keep their proportions and the four still sum to 1
  function rebalance(moved) {
    const v = Number($("w_" + moved).value);
    const others = criteria.filter((c) => c !== moved);
    const rest = others.reduce((s, c) => s + Number($("w_" + c).value), 0);
    let values = {};
    for (const c of others) values[c] = rest > 0 ? (Number($("w_" + c).value) * (1 - v)) / rest : (1 - v) / others.length;
    let total = v;
    for (const c of others) { values[c] = Math.round(values[c] * 10000) / 10000; total += values[c]; }
    const largest = others.reduce((a, b) => (values[a] >= values[b] ? a : b));
    values[largest] = Math.max(0, Math.round((values[largest] + 1 - total) * 10000) / 10000);
    for (const c of others) $("w_" + c).value = values[c].toFixed(4);
    showWeights();
  }

  function markChanged() {
    for (const field of form.querySelectorAll(".field[data-field]")) {
      const name = field.dataset.field;
      let changed;
      if (name === "exclude") {
        changed = [...field.querySelectorAll("input")].some((i) => i.checked !== i.defaultChecked);
      } else {
        const input = $(name);
        const was = input.dataset.initial;
        changed = name.startsWith("w_") ? Math.abs(Number(input.value) - Number(was)) > 0.00005 : input.value !== was;
        const note = field.querySelector(".was");
        if (note) note.textContent = changed ? "← " + (input.tagName === "SELECT" ? input.querySelector('option[value="' + CSS.escape(was) + '"]').textContent : was) : "";
      }
      field.classList.toggle("changed", changed);
    }
  }

  function showErrors(errors, general) {
    for (const e of form.querySelectorAll(".error")) e.textContent = "";
    for (const f of form.querySelectorAll(".field")) f.classList.remove("invalid");
    let rest = [...(general || [])];
    for (const [name, messages] of Object.entries(errors || {})) {
      const el = $(name + "-error");
      if (el) { el.textContent = messages.join(" "); el.closest(".field").classList.add("invalid"); }
      else rest = rest.concat(messages);
    }
    $("general-errors").textContent = rest.join(" ");
  }

  function apply(answer) {
    if (answer.gen > 0 && answer.gen < latest) return; // an older change's answer
    if (answer.state === "superseded") return;
    showErrors(answer.errors, answer.general);
    if (answer.results !== undefined) $("results").innerHTML = answer.results;
    if (answer.changes !== undefined) $("changes").innerHTML = answer.changes;
    if (answer.robustness !== undefined) $("robustness").innerHTML = answer.robustness;
    $("status-text").textContent = answer.status || "";
    $("cancel").hidden = answer.state !== "solving";
    document.body.dataset.state = answer.state;
    document.body.dataset.gen = String(answer.gen);
    clearTimeout(pollTimer);
    if (answer.results !== undefined) {
      shown = answer.gen;
      document.body.dataset.view = String(answer.gen); // the job whose award is on the page
    }
    if (answer.state === "solving") pollTimer = setTimeout(() => poll(answer.gen), 100);
  }

  async function poll(gen) {
    if (gen !== latest) return;
    try {
      const have = shown === gen ? "view" : "none";
      const r = await fetch("/status?gen=" + gen + "&have=" + have, { credentials: "same-origin" });
      apply(await r.json());
    } catch (e) {
      $("status-text").textContent = String(e);
    }
  }

  async function send() {
    markChanged();
    document.body.dataset.state = "sending";
    try {
      const r = await post("/change", body());
      const answer = await r.json();
      if (answer.gen > latest) latest = answer.gen;
      if (answer.error) { showErrors({}, [answer.error]); document.body.dataset.state = "error"; return; }
      apply(answer);
    } catch (e) {
      $("status-text").textContent = String(e);
    }
  }

  async function download(url, waiting) {
    $("status-text").textContent = waiting || "";
    document.body.dataset.download = "pending";
    const r = await post(url, body());
    const kind = r.headers.get("Content-Type") || "";
    if (!r.ok || kind.startsWith("application/json")) {
      const answer = await r.json();
      showErrors(answer.errors || {}, answer.general || (answer.error ? [answer.error] : []));
      $("status-text").textContent = "";
      document.body.dataset.download = "refused";
      return;
    }
    const name = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "");
    const a = document.createElement("a");
    a.href = URL.createObjectURL(await r.blob());
    a.download = name ? name[1] : "download";
    document.body.appendChild(a);
    a.click();
    a.remove();
    $("status-text").textContent = "";
    document.body.dataset.download = "done";
  }

  for (const c of criteria) {
    const slider = $("w_" + c);
    slider.addEventListener("input", () => rebalance(c));
    slider.addEventListener("change", send);
  }
  for (const input of form.querySelectorAll('input[type="text"]')) {
    input.addEventListener("input", () => { clearTimeout(typingTimer); typingTimer = setTimeout(send, 500); });
    input.addEventListener("change", () => { clearTimeout(typingTimer); send(); });
  }
  for (const el of form.querySelectorAll('select, input[type="checkbox"]')) el.addEventListener("change", send);
  form.addEventListener("submit", (e) => { e.preventDefault(); send(); });
  $("cancel").addEventListener("click", () => post("/cancel", ""));
  $("save").addEventListener("click", () => download("/save"));
  $("brief").addEventListener("click", () => download("/brief", form.dataset.rendering));
  $("restore").addEventListener("click", () => { form.reset(); showWeights(); send(); });
  showWeights();
  send();
})();
