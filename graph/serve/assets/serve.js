/* tieline serve: the explorer that holds nothing up front and grows as the reader expands entities.

   What is on screen is described by a recipe (the entities searched for, the ones expanded and how
   far, the ones removed, the path asked for), kept in the URL hash; the server turns it into the
   exported page of those entities (/view), shown in the frame below: the same page, cards, legend,
   filters, time control and hash states as `tieline export html`. Searches, expansions and paths
   are asked of the server's API, which answers as the CLI's --json does. Text reaches the page only
   as text (textContent, createElement), never as markup. */
(function () {
  "use strict";

  var PAGE = 50;          // neighbours added per expansion ("N more" pages on)
  var MOST = 500;         // the most neighbours the server lists for one entity
  var frame = document.getElementById("ts-frame");
  var empty = document.getElementById("ts-empty");
  var statusText = document.getElementById("ts-status");
  var bar = document.getElementById("ts-bar");
  var actions = document.getElementById("ts-actions");
  var expandButton = document.getElementById("ts-expand");
  var collapseButton = document.getElementById("ts-collapse");
  var removeButton = document.getElementById("ts-remove");
  var exportButton = document.getElementById("ts-export");

  /* The view filters of this page's own address (?min-certainty=confirmed…): part of every question. */
  var filters = [];
  new URLSearchParams(location.search).forEach(function (value, key) { filters.push([key, value]); });

  var state = { seeds: [], expand: new Map(), hide: [], from: null, to: null, selected: null };
  var totals = new Map();   // entity id -> how many neighbours it has in all
  var names = new Map();    // entity id -> name
  var frameDone = null;     // resolves when the frame has drawn the current recipe
  var lastGood = null;      // the recipe last drawn without error (restored after a refused one)

  function encoded(pairs) {
    var params = new URLSearchParams();
    pairs.forEach(function (pair) { params.append(pair[0], pair[1]); });
    return params.toString();
  }

  /* Ask the server's API; rejects with the error's message (the CLI's words) and its HTTP status. */
  function api(name, pairs) {
    return fetch("/api/" + name + "?" + encoded(pairs.concat(filters)), { credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            var error = new Error(body.error ? body.error.message : response.statusText);
            error.status = response.status;
            error.body = body;
            throw error;
          }
          var why = response.headers.get("tieline-no-result");
          body.noResult = why ? decodeURIComponent(why) : null;
          return body;
        });
      });
  }

  function say(text, problem) {
    statusText.textContent = text;
    bar.classList.toggle("problem", Boolean(problem));
  }

  function fail(error) {
    say(String(error.message || error).replace(/^tieline: /, ""), true);
  }

  // ------------------------------------------------------------------ the recipe and the frame

  function recipe() {
    var pairs = state.seeds.map(function (id) { return ["seed", id]; });
    state.expand.forEach(function (count, id) { pairs.push(["expand", id + ":" + count]); });
    state.hide.forEach(function (id) { pairs.push(["hide", id]); });
    if (state.from && state.to) { pairs.push(["from", state.from], ["to", state.to]); }
    return pairs;
  }

  function isEmpty() { return !state.seeds.length && !state.expand.size && !(state.from && state.to); }

  function snapshot() {
    return { seeds: state.seeds.slice(), expand: new Map(state.expand), hide: state.hide.slice(),
             from: state.from, to: state.to, selected: state.selected };
  }

  function writeHash() {
    var pairs = recipe();
    if (state.selected) { pairs.push(["sel", state.selected]); }
    var hash = pairs.length ? "#" + encoded(pairs) : "";
    if (hash !== location.hash) { history.pushState(null, "", hash || location.pathname + location.search); }
  }

  /* Draw the recipe: the exported page of it in the frame. Resolves once it is drawn. */
  function redraw() {
    writeHash();
    exportButton.disabled = isEmpty();
    if (isEmpty()) {
      frame.hidden = true;
      frame.removeAttribute("src");
      empty.hidden = false;
      lastGood = snapshot();
      updateBar();
      return Promise.resolve();
    }
    empty.hidden = true;
    frame.hidden = false;
    var done;
    frameDone = new Promise(function (resolve) { done = resolve; });
    frameDone.resolve = done;
    frame.src = "/view?" + encoded(recipe().concat(filters)) +
      (state.selected ? "#focus=" + encodeURIComponent(state.selected) : "");
    return frameDone;
  }

  function framePage() {
    try { return frame.contentWindow && frame.contentWindow.tieline; } catch (e) { return null; }
  }

  frame.addEventListener("load", function () {
    var doc = frame.contentDocument;
    var finish = frameDone ? frameDone.resolve : function () {};
    if (!doc || doc.contentType !== "text/html") {  // the server refused the recipe: say why, go back
      var text = doc && doc.body ? doc.body.textContent : "";
      var message = "the server could not draw this view";
      try { message = JSON.parse(text).error.message; } catch (e) { /* keep the general message */ }
      if (lastGood) { Object.assign(state, lastGood); redraw().then(function () { fail({ message: message }); }); }
      else { fail({ message: message }); }
      finish();
      return;
    }
    var page = frame.contentWindow.tieline;
    lastGood = snapshot();
    // Paths are found by the server (the form above); the page's own finder sees only what is on screen.
    ["tl-finder", "tl-finder-title"].forEach(function (id) {
      var element = doc.getElementById(id);
      if (element) { element.style.display = "none"; }
    });
    // The title is the frame's (above); the page's own search finds among what is on screen.
    Array.prototype.forEach.call(doc.querySelectorAll("header > h1, header > .asof"), function (element) {
      element.style.display = "none";
    });
    var own = doc.getElementById("tl-search");
    if (own) { own.placeholder = "Find on screen…"; }
    page.network.setOptions({ clickToUse: false });  // the frame is the whole view here, not an embed
    Object.keys(page.data.entities).forEach(function (id) { names.set(id, page.data.entities[id].name); });
    page.network.on("click", function (params) {
      if (params.nodes.length) { select(page.data.node_ids[params.nodes[0]]); }
      else if (!params.edges.length) { select(null); }
    });
    page.network.on("doubleClick", function (params) {
      if (params.nodes.length) { expand(page.data.node_ids[params.nodes[0]]); }
    });
    if (state.selected && !page.data.entities[state.selected]) { state.selected = null; }
    updateBar();
    var started = Date.now();
    (function waitReady() {
      if (page.ready || Date.now() - started > 15000) { finish(); return; }
      setTimeout(waitReady, 50);
    }());
  });

  // ------------------------------------------------------------------ expand, collapse, remove

  function select(id) {
    state.selected = id;
    writeHash();
    updateBar();
    if (id && !totals.has(id)) {
      api("neighbours", [["entity", id], ["limit", "1"]]).then(function (body) {
        totals.set(id, body.total);
        if (state.selected === id) { updateBar(); }
      }).catch(function () { /* the bar says what it knows */ });
    }
  }

  function updateBar() {
    var id = state.selected;
    actions.hidden = !id;
    if (!id) {
      if (!bar.classList.contains("problem")) {
        var page = framePage();
        say(isEmpty() ? "Search for a name to start; expand an entity to see who it is connected to." :
          (page && page.shownEntities ? page.shownEntities().length : 0) + " entities on screen. " +
          "Click one to expand, collapse or remove it (double-click expands).");
      }
      return;
    }
    var shown = state.expand.get(id) || 0;
    var total = totals.get(id);
    var name = names.get(id) || id;
    var left = total === undefined ? null : Math.max(total - shown, 0);
    say(name + (total === undefined ? "" : ": " + Math.min(shown, total) + " of " + total + " neighbours shown"));
    expandButton.textContent = shown ? (left ? "Show " + Math.min(PAGE, left) + " more (" + left + " left)" : "All shown")
      : "Expand" + (left ? " (" + Math.min(PAGE, left) + " of " + left + ")" : "");
    expandButton.disabled = left === 0 || shown >= MOST;
    if (shown >= MOST && left) { expandButton.textContent = "At most " + MOST + " per entity here"; }
    collapseButton.disabled = !shown;
  }

  function expand(id) {
    var count = Math.min((state.expand.get(id) || 0) + PAGE, MOST);
    bar.classList.remove("problem");
    return api("neighbours", [["entity", id], ["limit", String(count)]]).then(function (body) {
      var entity = body.entity.id;
      totals.set(entity, body.total);
      names.set(entity, body.entity.name);
      state.hide = state.hide.filter(function (h) { return h !== entity; });
      if (state.seeds.indexOf(entity) < 0) { state.seeds.push(entity); }
      if (body.neighbours.length) { state.expand.set(entity, Math.min(count, body.total)); }
      state.selected = entity;
      return redraw().then(function () {
        if (!body.neighbours.length) { say(body.noResult || body.entity.name + " has no neighbours here", true); }
      });
    }).catch(fail);
  }

  function collapse(id) {
    state.expand.delete(id);
    return redraw();
  }

  function remove(id) {
    state.seeds = state.seeds.filter(function (s) { return s !== id; });
    state.expand.delete(id);
    if (state.hide.indexOf(id) < 0) { state.hide.push(id); }
    if (state.from === id || state.to === id) { state.from = state.to = null; }
    state.selected = null;
    return redraw();
  }

  expandButton.addEventListener("click", function () { if (state.selected) { expand(state.selected); } });
  collapseButton.addEventListener("click", function () { if (state.selected) { collapse(state.selected); } });
  removeButton.addEventListener("click", function () { if (state.selected) { remove(state.selected); } });
  document.getElementById("ts-clear").addEventListener("click", function () {
    state = { seeds: [], expand: new Map(), hide: [], from: null, to: null, selected: null };
    bar.classList.remove("problem");
    redraw();
  });
  exportButton.addEventListener("click", function () {
    var link = document.createElement("a");
    link.href = "/view?" + encoded(recipe().concat(filters, [["download", "1"]]));
    link.download = "tieline-view.html";
    document.body.appendChild(link);
    link.click();
    link.remove();
  });

  // ------------------------------------------------------------------ search (the server's)

  var input = document.getElementById("ts-search");
  var list = document.getElementById("ts-results");
  var matches = [];
  var active = -1;
  var asked = 0;

  function closeList() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function drawList() {
    list.textContent = "";
    matches.forEach(function (match, i) {
      var item = document.createElement("li");
      item.id = "ts-result-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", String(i === active));
      item.className = i === active ? "active" : "";
      var name = document.createElement("bdi");
      name.textContent = match.name;
      var kind = document.createElement("span");
      kind.className = "result-type";
      kind.textContent = match.type;
      item.append(name, kind);
      item.addEventListener("mousedown", function (event) { event.preventDefault(); pick(match.id); });
      list.appendChild(item);
    });
    if (!matches.length) {
      var none = document.createElement("li");
      none.className = "empty";
      none.setAttribute("role", "option");
      none.setAttribute("aria-disabled", "true");
      none.textContent = "No match";
      list.appendChild(none);
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    if (active >= 0) { input.setAttribute("aria-activedescendant", "ts-result-" + active); }
    else { input.removeAttribute("aria-activedescendant"); }
  }

  function search(text) {
    var ticket = ++asked;
    return api("search", [["q", text], ["limit", "10"]]).then(function (body) {
      if (ticket === asked) { matches = body.results; active = matches.length ? 0 : -1; drawList(); }
      return body.results;
    });
  }

  function pick(id) {
    closeList();
    input.value = "";
    return expand(id);
  }

  var typing = null;
  input.addEventListener("input", function () {
    clearTimeout(typing);
    var text = input.value.trim();
    if (!text) { closeList(); return; }
    typing = setTimeout(function () { search(text).catch(fail); }, 120);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!matches.length) { return; }
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
      drawList();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (active >= 0 && matches[active]) { pick(matches[active].id); }
    } else if (event.key === "Escape") { closeList(); }
  });
  input.addEventListener("blur", closeList);
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement.tagName !== "INPUT") { event.preventDefault(); input.focus(); }
  });

  // ------------------------------------------------------------------ the path finder (the server's)

  var names_list = document.getElementById("ts-names");
  ["ts-from", "ts-to"].forEach(function (field) {
    var box = document.getElementById(field);
    var wait = null;
    box.addEventListener("input", function () {
      clearTimeout(wait);
      var text = box.value.trim();
      if (!text) { return; }
      wait = setTimeout(function () {
        api("search", [["q", text], ["limit", "8"]]).then(function (body) {
          names_list.textContent = "";
          body.results.forEach(function (match) {
            var option = document.createElement("option");
            option.value = match.id;
            option.label = match.name + " (" + match.type + ")";
            names_list.appendChild(option);
          });
        }).catch(function () { /* suggestions only */ });
      }, 150);
    });
  });

  function findPath(from, to) {
    bar.classList.remove("problem");
    return api("path", [["from", from], ["to", to]]).then(function (body) {
      if (!body.paths.length) {
        say(body.noResult || "No path between " + body.from.name + " and " + body.to.name, true);
        return body;
      }
      state.from = body.from.id;
      state.to = body.to.id;
      state.selected = null;
      return redraw().then(function () {
        say("Path from " + body.from.name + " to " + body.to.name + ": " + body.paths[0].length + " hop(s), highlighted");
        return body;
      });
    }).catch(fail);
  }

  document.getElementById("ts-finder").addEventListener("submit", function (event) {
    event.preventDefault();
    findPath(document.getElementById("ts-from").value.trim(), document.getElementById("ts-to").value.trim());
  });

  // ------------------------------------------------------------------ the hash, the start

  /* Read the hash: #focus=ID (expand it), or a recipe as this page writes it. */
  function restore() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    state = { seeds: [], expand: new Map(), hide: [], from: null, to: null, selected: null };
    var focus = params.get("focus");
    params.forEach(function (value, key) {
      if (key === "seed") { state.seeds.push(value); }
      else if (key === "expand") {
        var at = value.lastIndexOf(":");
        var count = parseInt(value.slice(at + 1), 10);
        if (at > 0 && count > 0) { state.expand.set(value.slice(0, at), Math.min(count, MOST)); }
      } else if (key === "hide") { state.hide.push(value); }
      else if (key === "from") { state.from = value; }
      else if (key === "to") { state.to = value; }
      else if (key === "sel") { state.selected = value; }
    });
    if (focus) { return expand(focus); }
    return redraw();
  }

  window.addEventListener("popstate", function () { restore(); });

  window.tieline = {
    shownCount: function () {
      var page = framePage();
      return !frame.hidden && page && page.shownEntities ? page.shownEntities().length : 0;
    },
    shownEntities: function () {
      var page = framePage();
      return !frame.hidden && page && page.shownEntities ? page.shownEntities() : [];
    },
    expand: expand, collapse: collapse, remove: remove, findPath: findPath, search: search,
    selected: function () { return state.selected; },
    recipe: function () { return encoded(recipe()); },
    frame: function () { return framePage(); }
  };

  api("about", []).then(function (about) {
    document.getElementById("ts-title").textContent = about.name;
    document.title = about.name + " — tieline explorer";
    document.getElementById("ts-about").textContent =
      (about.date ? "as of " + about.date + " · " : "") + about.entities.toLocaleString("en") + " entities";
  }).catch(fail);
  restore().then(function () { document.body.setAttribute("data-ready", "true"); });
}());
