/* tieline explorer: draws the graph with vis-network, then search, filters and the fact panel.
 * Every string from the data is put on the page as text (textContent, createElement, .value):
 * never through innerHTML, and never as a vis-network `title` (which it would parse as HTML). */
(function () {
  "use strict";

  var SAFE_PROTOCOLS = { "http:": true, "https:": true };
  var DIM_NODE = { background: "#eef0f3", border: "#d5d9de",
                   highlight: { background: "#eef0f3", border: "#d5d9de" },
                   hover: { background: "#eef0f3", border: "#d5d9de" } };
  var DIM_EDGE = { color: "#e6e9ed", highlight: "#e6e9ed", hover: "#e6e9ed" };
  var SVG_NS = "http://www.w3.org/2000/svg";

  function readJSON(id) { return JSON.parse(document.getElementById(id).textContent); }

  var data = readJSON("tl-data");
  var nodeList = readJSON("tl-nodes");
  var edgeList = readJSON("tl-edges");
  var options = readJSON("tl-options");

  // Maps, not plain objects: an id such as "constructor" must not find Object.prototype.
  var entities = new Map(Object.entries(data.entities));
  var facts = new Map(data.facts.map(function (f) { return [f.id, f]; }));
  var sources = new Map(Object.entries(data.sources));
  var certainty = new Map(data.certainty.map(function (c) { return [c.id, c]; }));
  var types = new Map(data.types.map(function (t) { return [t.id, t]; }));
  var relations = new Map(data.relations.map(function (r) { return [r.id, r]; }));
  // vis ids are positions: node i is entity data.node_ids[i], edge j is fact data.facts[j].
  var entityAt = data.node_ids;
  var nodeOf = new Map(entityAt.map(function (id, i) { return [id, i]; }));
  var edgeOf = new Map(data.facts.map(function (f, j) { return [f.id, j]; }));
  var factsOf = new Map();
  data.facts.forEach(function (f) {
    [f.subject, f.object].forEach(function (id, i) {
      if (i === 1 && f.object === f.subject) { return; }
      if (!factsOf.has(id)) { factsOf.set(id, []); }
      factsOf.get(id).push(f);
    });
  });

  // ------------------------------------------------------------------ DOM helpers

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === "className") { node.className = props[key]; }
      else if (key === "text") { node.textContent = props[key]; }
      else if (key === "onclick") { node.addEventListener("click", props[key]); }
      else { node.setAttribute(key, props[key]); }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) { return; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function bdi(text) { return el("bdi", { text: String(text) }); }

  function safeHref(url) {
    if (typeof url !== "string") { return null; }
    try {
      var parsed = new URL(url);
      return SAFE_PROTOCOLS[parsed.protocol] === true ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  /* A short line drawn with a certainty level's dashes ([dash, gap] in pixels, or false: solid). */
  function lineSwatch(dashes) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 36 8");
    svg.setAttribute("width", "36");
    svg.setAttribute("height", "8");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "swatch line");
    var line = document.createElementNS(SVG_NS, "line");
    [["x1", "0"], ["y1", "4"], ["x2", "36"], ["y2", "4"]].forEach(function (a) { line.setAttribute(a[0], a[1]); });
    line.setAttribute("stroke", options.edges.color.color);
    line.setAttribute("stroke-width", "2");
    if (Array.isArray(dashes)) { line.setAttribute("stroke-dasharray", dashes.map(Number).join(" ")); }
    svg.appendChild(line);
    return svg;
  }

  function swatch(type) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("width", "14");
    svg.setAttribute("height", "14");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "swatch");
    var shape = type ? type.shape : "dot";
    var points = {
      triangle: "8,1.5 15,14 1,14", triangleDown: "1,2 15,2 8,14.5",
      diamond: "8,0.5 15.5,8 8,15.5 0.5,8", hexagon: "4,1.5 12,1.5 15.5,8 12,14.5 4,14.5 0.5,8",
      star: "8,0.5 10.2,5.6 15.6,5.9 11.4,9.3 12.8,14.8 8,11.8 3.2,14.8 4.6,9.3 0.4,5.9 5.8,5.6"
    }[shape];
    var mark;
    if (points) {
      mark = document.createElementNS(SVG_NS, "polygon");
      mark.setAttribute("points", points);
    } else if (shape === "square" || shape === "box" || shape === "database") {
      mark = document.createElementNS(SVG_NS, "rect");
      ["x", "y"].forEach(function (k) { mark.setAttribute(k, "2"); });
      ["width", "height"].forEach(function (k) { mark.setAttribute(k, "12"); });
    } else {
      mark = document.createElementNS(SVG_NS, "circle");
      mark.setAttribute("cx", "8"); mark.setAttribute("cy", "8"); mark.setAttribute("r", "6.5");
    }
    mark.setAttribute("fill", type ? type.color : "#8c8c8c");
    mark.setAttribute("stroke", "rgba(0,0,0,0.35)");
    svg.appendChild(mark);
    return svg;
  }

  // ------------------------------------------------------------------ the network

  window.tieline = { ready: false };
  var container = document.getElementById("tl-network");
  var panel = document.getElementById("tl-panel");
  var nodes = new vis.DataSet(nodeList.map(function (n) { return Object.assign({}, n); }));
  var edges = new vis.DataSet(edgeList.map(function (e) { return Object.assign({}, e); }));
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  var state = { typeOn: new Map(), relationOn: new Map(), certaintyOn: new Map(), highlighted: null };
  data.types.forEach(function (t) { state.typeOn.set(t.id, true); });
  data.relations.forEach(function (r) { state.relationOn.set(r.id, true); });
  data.certainty.forEach(function (c) { state.certaintyOn.set(c.id, true); });

  function markReady() {
    if (window.tieline.ready) { return; }
    window.tieline.ready = true;
    window.tieline.readyAt = performance.now();
    document.body.setAttribute("data-ready", "true");
  }

  /* A tiny graph fitted to the window would be drawn huge: keep labels at reading size. */
  function clampZoom() {
    if (network.getScale() > 1.4) { network.moveTo({ scale: 1.4 }); }
  }

  if (!nodeList.length) {
    setTimeout(markReady, 0);
  } else if (data.physics) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit();
      clampZoom();
      markReady();
    });
  } else {
    network.once("afterDrawing", function () { clampZoom(); markReady(); });
  }

  /* The node, its neighbours and the facts that link it to them. */
  function neighbourhood(id) {
    var ids = new Set([id]);
    network.getConnectedNodes(id).forEach(function (n) { ids.add(n); });
    return { nodes: ids, edges: new Set(network.getConnectedEdges(id)) };
  }

  function factScope(edgeId) {
    var edge = edgeList[edgeId];
    return { nodes: new Set([edge.from, edge.to]), edges: new Set([edgeId]) };
  }

  /* Dim every node and fact outside `scope` ({nodes: Set, edges: Set}); null restores them. */
  function highlight(scope) {
    state.highlighted = scope;
    var nodeFont = options.nodes.font.color;
    var edgeFont = options.edges.font.color;
    nodes.update(nodeList.map(function (n) {
      var lit = !scope || scope.nodes.has(n.id);
      return { id: n.id, color: lit ? n.color : DIM_NODE,
               font: { color: lit ? nodeFont : "#b3b9c1" } };
    }));
    edges.update(edgeList.map(function (e) {
      var lit = !scope || scope.edges.has(e.id);
      return { id: e.id, color: lit ? (e.color || options.edges.color) : DIM_EDGE,
               font: { color: lit ? edgeFont : "rgba(0,0,0,0)",
                       background: lit ? options.edges.font.background : "rgba(0,0,0,0)" } };
    }));
  }

  function applyFilters() {
    var hiddenNode = new Map();
    nodes.update(nodeList.map(function (n) {
      var entity = entities.get(entityAt[n.id]);
      var hidden = state.typeOn.get(entity.type) === false;
      hiddenNode.set(n.id, hidden);
      return { id: n.id, hidden: hidden };
    }));
    var shownEdges = 0;
    edges.update(edgeList.map(function (e) {
      var fact = data.facts[e.id];
      var hidden = state.relationOn.get(fact.relation) === false ||
        state.certaintyOn.get(fact.certainty) === false ||
        hiddenNode.get(e.from) || hiddenNode.get(e.to);
      if (!hidden) { shownEdges += 1; }
      return { id: e.id, hidden: hidden };
    }));
    var shownNodes = nodeList.length - Array.from(hiddenNode.values()).filter(Boolean).length;
    document.getElementById("tl-shown").textContent =
      "Showing " + shownNodes + " of " + nodeList.length + " entities, " +
      shownEdges + " of " + edgeList.length + " facts";
  }

  // ------------------------------------------------------------------ wording of facts

  function entityName(id) {
    var entity = entities.get(id);
    return entity ? entity.name : id;
  }

  function entityRef(id, current) {
    if (id === current || !entities.has(id)) {
      return el("strong", { className: "entity-self" }, [bdi(entityName(id))]);
    }
    return el("button", {
      type: "button", className: "entity-link", "data-entity": id,
      onclick: function () { focusEntity(id); }
    }, [bdi(entityName(id))]);
  }

  /* "Kirill Dmitriev heads RDIF" from the subject, "RDIF is headed by Kirill Dmitriev" from the object. */
  function sentence(fact, current) {
    var fromObject = current === fact.object && current !== fact.subject;
    var first = fromObject ? fact.object : fact.subject;
    var second = fromObject ? fact.subject : fact.object;
    var verb = fromObject && !fact.symmetric ? (fact.inverse || fact.label) : fact.label;
    return el("p", { className: "sentence" },
      [entityRef(first, current), " ", el("span", { className: "verb", text: verb }), " ",
       entityRef(second, current)]);
  }

  function dateRange(start, end) {
    if (start && end) { return start === end ? String(start) : start + " – " + end; }
    if (start) { return "since " + start; }
    if (end) { return "until " + end; }
    return null;
  }

  function sourceItem(id) {
    var source = sources.get(id) || { id: id, title: id };
    var href = safeHref(source.url);
    var title = source.title || source.id || id;
    var heading = href
      ? el("a", { href: href, target: "_blank", rel: "noopener noreferrer nofollow",
                  referrerpolicy: "no-referrer", className: "source-title" }, [bdi(title)])
      : el("span", { className: "source-title" }, [bdi(title)]);
    var details = [source.publisher, source.published].filter(Boolean).join(", ");
    var item = el("li", { className: "source" }, [heading]);
    if (details) { item.appendChild(el("span", { className: "source-meta" }, [" — ", bdi(details)])); }
    if (source.reprinted_by) {
      item.appendChild(el("span", { className: "source-meta" },
        ["; reprinted by ", bdi(source.reprinted_by)]));
    }
    if (source.url && !href) {
      item.appendChild(el("span", { className: "source-url" }, [" (link not opened: ", bdi(source.url), ")"]));
    }
    if (source.note) {
      item.appendChild(el("details", { className: "source-note" },
        [el("summary", { text: "Note on this source" }), el("p", {}, [bdi(source.note)])]));
    }
    return item;
  }

  function factItem(fact, current) {
    var meta = el("p", { className: "fact-meta" });
    var level = fact.certainty;
    if (level) {
      meta.appendChild(el("span", {
        className: "certainty", "data-level": String(level),
        title: (certainty.get(level) || {}).description || String(level)
      }, [String(level)]));
    }
    var when = dateRange(fact.start, fact.end);
    if (when) { meta.appendChild(el("span", { className: "when", text: when })); }
    var item = el("li", { className: "fact", "data-fact": fact.id }, [sentence(fact, current), meta]);
    if (fact.quote) { item.appendChild(el("blockquote", { className: "quote" }, [bdi(fact.quote)])); }
    if (fact.note) { item.appendChild(el("p", { className: "note" }, ["Note: ", bdi(fact.note)])); }
    item.appendChild(el("ul", { className: "sources" }, (fact.sources || []).map(sourceItem)));
    return item;
  }

  // ------------------------------------------------------------------ the panel

  function showPanel(children) {
    panel.replaceChildren.apply(panel, children);
    panel.scrollTop = 0;
  }

  function typeBadge(typeId) {
    var type = types.get(typeId);
    return el("p", { className: "type-badge" }, [swatch(type), " ", type ? type.label : String(typeId)]);
  }

  function attributeValue(value) {
    if (Array.isArray(value)) { return value.map(attributeValue).join(", "); }
    if (value === true) { return "yes"; }
    if (value === false) { return "no"; }
    if (value !== null && typeof value === "object") { return JSON.stringify(value); }
    return String(value);
  }

  function detailsList(entity) {
    var rows = [];
    if (entity.country) { rows.push(["Country", entityRef(entity.country, entity.id)]); }
    var when = dateRange(entity.start, entity.end);
    if (when) { rows.push(["Dates", bdi(when)]); }
    Object.keys(entity.attributes || {}).sort().forEach(function (key) {
      rows.push([key, bdi(attributeValue(entity.attributes[key]))]);
    });
    if (!rows.length) { return null; }
    var list = el("dl", { className: "details" });
    rows.forEach(function (row) {
      list.appendChild(el("dt", {}, [bdi(row[0])]));
      list.appendChild(el("dd", {}, [row[1]]));
    });
    return list;
  }

  function sortedFacts(id) {
    return (factsOf.get(id) || []).slice().sort(function (a, b) {
      var ka = [a.subject === id ? 0 : 1, a.relation, entityName(a.subject === id ? a.object : a.subject), a.id];
      var kb = [b.subject === id ? 0 : 1, b.relation, entityName(b.subject === id ? b.object : b.subject), b.id];
      for (var i = 0; i < ka.length; i += 1) {
        if (ka[i] < kb[i]) { return -1; }
        if (ka[i] > kb[i]) { return 1; }
      }
      return 0;
    });
  }

  function showEntity(id) {
    var entity = entities.get(id);
    if (!entity) { return; }
    var list = sortedFacts(id);
    showPanel([
      typeBadge(entity.type),
      el("h2", { className: "entity-name" }, [bdi(entity.name)]),
      entity.aliases && entity.aliases.length
        ? el("p", { className: "aliases" }, ["Also known as ", bdi(entity.aliases.join(", "))]) : null,
      entity.description ? el("p", { className: "description" }, [bdi(entity.description)]) : null,
      detailsList(entity),
      el("h3", { text: list.length === 1 ? "1 fact" : list.length + " facts" }),
      el("ul", { className: "facts" }, list.map(function (f) { return factItem(f, id); }))
    ].filter(Boolean));
    panel.setAttribute("data-showing", "entity:" + id);
  }

  function showFact(id) {
    var fact = facts.get(id);
    if (!fact) { return; }
    var relation = relations.get(fact.relation);
    showPanel([
      el("p", { className: "type-badge" }, [relation && relation.symmetric ? "Fact (mutual)" : "Fact"]),
      el("ul", { className: "facts single" }, [factItem(fact, null)]),
      fact.subject !== fact.object
        ? el("p", { className: "inverse" }, ["Read the other way: ", sentence(fact, fact.object)]) : null
    ].filter(Boolean));
    panel.setAttribute("data-showing", "fact:" + id);
  }

  /* Hops from the first path node along the path's facts (all shortest paths share the ends). */
  function pathDistances(path, pathFacts) {
    var distance = new Map([[path[0], 0]]);
    var frontier = [path[0]];
    while (frontier.length) {
      var next = [];
      frontier.forEach(function (id) {
        pathFacts.forEach(function (fact) {
          var other = fact.subject === id ? fact.object : fact.object === id ? fact.subject : null;
          if (other !== null && !distance.has(other)) {
            distance.set(other, distance.get(id) + 1);
            next.push(other);
          }
        });
      });
      frontier = next;
    }
    return distance;
  }

  function showPath() {
    var selection = data.selection || {};
    var path = (selection.path || []).filter(function (id) { return entities.has(id); });
    var pathFacts = (selection.path_edges || []).map(function (id) { return facts.get(id); }).filter(Boolean);
    if (!path.length) { showHome(); return; }
    var distance = pathDistances(path, pathFacts);
    var end = path.reduce(function (far, id) {
      return (distance.get(id) || 0) > (distance.get(far) || 0) ? id : far;
    }, path[0]);
    var near = function (fact) {
      var ds = distance.get(fact.subject), dob = distance.get(fact.object);
      return ds === undefined ? fact.object : dob === undefined || ds <= dob ? fact.subject : fact.object;
    };
    var steps = pathFacts.slice().sort(function (a, b) {
      return (distance.get(near(a)) || 0) - (distance.get(near(b)) || 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
    var hops = distance.get(end) || 0;
    showPanel([
      el("p", { className: "type-badge", text: "Path" }),
      el("h2", {}, [bdi(entityName(path[0])), " → ", bdi(entityName(end))]),
      el("p", { className: "description", text: !steps.length
        ? "No path links them in this view."
        : (hops === 1 ? "1 step" : hops + " steps") +
          (steps.length > hops ? ", " + steps.length + " facts on the shortest paths" : "") }),
      el("ol", { className: "facts path" }, steps.map(function (fact) { return factItem(fact, near(fact)); }))
    ]);
    panel.setAttribute("data-showing", "path");
  }

  function showHome() {
    var dataset = data.dataset || {};
    var children = [
      el("p", { className: "type-badge", text: "About this graph" }),
      el("h2", {}, [bdi(dataset.name || "tieline graph")])
    ];
    if (dataset.description) { children.push(el("p", { className: "description" }, [bdi(dataset.description)])); }
    children.push(el("p", { className: "help", text:
      "Click an entity to see who it is and every sourced fact about it; click a line to see " +
      "that fact. Type a name or alias in the search box. Untick types, relations or certainty " +
      "levels on the left to hide them; dashed and dotted lines are less certain facts." }));
    var selection = data.selection;
    if (selection && selection.focus && selection.focus.length) {
      var focus = el("p", { className: "help" }, ["Focused on "]);
      selection.focus.forEach(function (id, i) {
        if (i) { focus.appendChild(document.createTextNode(", ")); }
        focus.appendChild(entityRef(id, null));
      });
      if (selection.depth !== null && selection.depth !== undefined) {
        focus.appendChild(document.createTextNode(" (depth " + selection.depth + ")"));
      }
      children.push(focus);
    }
    if (selection && selection.path && selection.path.length && selection.path_edges &&
        selection.path_edges.length) {
      children.push(el("p", { className: "help" }, [el("button", {
        type: "button", className: "entity-link", onclick: showPath, text: "Show the highlighted path"
      })]));
    }
    [["types", types], ["relations", relations]].forEach(function (pair) {
      var chosen = selection && selection[pair[0]];
      if (chosen && chosen.length) {
        children.push(el("p", { className: "help" }, [
          "Exported with only these " + (pair[0] === "types" ? "entity types" : "relations") + ": ",
          bdi(chosen.map(function (id) { return pair[1].has(id) ? pair[1].get(id).label : id; }).join(", "))]));
      }
    });
    showPanel(children);
    panel.setAttribute("data-showing", "home");
  }

  function focusEntity(id) {
    var entity = entities.get(id);
    if (!entity) { return; }
    if (state.typeOn.get(entity.type) === false) {
      state.typeOn.set(entity.type, true);
      var box = document.querySelector('#tl-types input[data-id="' + CSS.escape(entity.type) + '"]');
      if (box) { box.checked = true; }
      applyFilters();
    }
    var node = nodeOf.get(id);
    network.selectNodes([node]);
    highlight(neighbourhood(node));
    showEntity(id);
    network.focus(node, { scale: Math.max(network.getScale(), 1.1),
                        animation: { duration: 450, easingFunction: "easeInOutQuad" } });
  }

  network.on("click", function (params) {
    if (params.nodes.length) {
      highlight(neighbourhood(params.nodes[0]));
      showEntity(entityAt[params.nodes[0]]);
    } else if (params.edges.length) {
      highlight(factScope(params.edges[0]));
      showFact(data.facts[params.edges[0]].id);
    } else {
      highlight(null);
      showHome();
    }
  });

  // ------------------------------------------------------------------ filters and legend

  function filterList(listId, items, onMap, label) {
    var list = document.getElementById(listId);
    items.forEach(function (item) {
      var box = el("input", { type: "checkbox", "data-id": item.id });
      box.checked = true;
      box.addEventListener("change", function () { onMap.set(item.id, box.checked); applyFilters(); });
      var row = el("label", { className: "filter" }, [box, label(item),
        el("span", { className: "count", text: String(item.count) })]);
      if (item.description) { row.title = item.description; }
      list.appendChild(el("li", {}, [row]));
    });
  }

  filterList("tl-types", data.types, state.typeOn, function (type) {
    return el("span", { className: "filter-label" }, [swatch(type), " ", bdi(type.label)]);
  });
  filterList("tl-relations", data.relations, state.relationOn, function (relation) {
    return el("span", { className: "filter-label" }, [
      el("span", { className: "direction", title: relation.symmetric ? "mutual: no direction" : "directed",
                   text: relation.symmetric ? "—" : "→" }), " ", bdi(relation.label)]);
  });
  filterList("tl-certainty", data.certainty, state.certaintyOn, function (level) {
    return el("span", { className: "filter-label" }, [lineSwatch(level.dashes), " ", bdi(level.id)]);
  });
  var toggled = { types: state.typeOn, relations: state.relationOn, certainty: state.certaintyOn };
  document.querySelectorAll("[data-toggle]").forEach(function (button) {
    button.addEventListener("click", function () {
      var on = button.getAttribute("data-value") === "on";
      var which = button.getAttribute("data-toggle");
      var map = toggled[which];
      document.querySelectorAll("#tl-" + which + " input").forEach(function (box) {
        box.checked = on;
        map.set(box.getAttribute("data-id"), on);
      });
      applyFilters();
    });
  });

  // ------------------------------------------------------------------ search

  /* The names' keys come from Python (graph/names.py `name_key`, `id_key`, in data.name_keys):
   * the page never folds a name itself. Only the text being typed must be folded here, in the
   * browser, and it must be folded exactly as name_key would, or a typed name would miss its own
   * key. name_key: NFKD; drop marks of non-zero canonical combining class; casefold; every
   * character that is not a letter or digit becomes a space; words joined by one space. A name of
   * symbols only (★) keeps its symbols, case-folded, with whitespace collapsed. */
  var PY_WHITESPACE = /[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
  // Where Unicode case folding (Python's str.casefold) differs from toLowerCase.
  var CASE_FOLDS = new Map([["ß", "ss"], ["ς", "σ"], ["\u0345", "ι"], ["ᲀ", "в"], ["ᲁ", "д"],
    ["ᲂ", "о"], ["ᲃ", "с"], ["ᲄ", "т"], ["ᲅ", "т"], ["ᲆ", "ъ"], ["ᲇ", "ѣ"], ["ᲈ", "ꙋ"]]);
  var CASE_FOLD_RE = /[ßς\u0345\u1c80-\u1c88\u13f8-\u13fd\uab70-\uabbf]/g;

  function caseFold(text) {
    return text.toLowerCase().replace(CASE_FOLD_RE, function (c) {
      return CASE_FOLDS.get(c) || c.toUpperCase();  // Cherokee folds to its capitals
    });
  }

  /* JavaScript cannot ask for a canonical combining class, but NFD sorts marks by it: a mark's
   * class is non-zero exactly when NFD moves it past U+0334 (class 1) or U+0345 (class 240). */
  function isCombining(mark) {
    var after = "a" + mark + "\u0334", before = "a\u0345" + mark;
    return mark === "\u0345" || after.normalize("NFD") !== after || before.normalize("NFD") !== before;
  }

  function words(text) {
    return text.split(PY_WHITESPACE).filter(Boolean).join(" ");
  }

  /* The name key of typed text: nameKey(s) === graph.names.name_key(s). */
  function nameKey(text) {
    text = String(text);
    var stripped = text.normalize("NFKD").replace(/\p{M}/gu, function (mark) {
      return isCombining(mark) ? "" : mark;
    });
    return words(caseFold(stripped).replace(/[^\p{L}\p{N}]/gu, " ")) || words(caseFold(text));
  }

  var nameKeys = new Map(Object.entries(data.name_keys));
  var searchIndex = Array.from(entities.values()).map(function (entity) {
    var keys = nameKeys.get(entity.id);
    var texts = [entity.name || entity.id].concat(entity.aliases || [], [entity.id]);
    var all = [keys.name].concat(keys.aliases, [keys.id]).map(function (k, i) { return [texts[i], k]; });
    return { id: entity.id, name: entity.name, sortKey: keys.name, keys: all.concat(keys.latin || []) };
  });

  /* Levenshtein distance of two words, or limit + 1 as soon as it exceeds limit. */
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) { return limit + 1; }
    var row = [];
    for (var j = 0; j <= b.length; j++) { row.push(j); }
    for (var i = 1; i <= a.length; i++) {
      var prev = row[0], least = i;
      row[0] = i;
      for (j = 1; j <= b.length; j++) {
        var here = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1));
        prev = here;
        least = Math.min(least, row[j]);
      }
      if (least > limit) { return limit + 1; }
    }
    return row[b.length];
  }

  /* A typo: every typed word is within one edit (two from 8 letters) of a word of the key. */
  function nearly(q, k) {
    var keyWords = k.split(" ");
    return q.length >= 4 && q.split(" ").every(function (w) {
      var limit = w.length >= 8 ? 2 : 1;
      return keyWords.some(function (kw) { return distance(w, kw, limit) <= limit; });
    });
  }

  /* Best matches first: exact name, alias or id, then prefix, then word start, then anywhere. */
  function search(query) {
    var q = nameKey(query);
    if (!q) { return []; }
    var found = [];
    searchIndex.forEach(function (item) {
      var best = null;
      item.keys.forEach(function (key, i) {
        var k = key[1];
        var at = k.indexOf(q);
        if (at < 0 && !nearly(q, k)) { return; }
        var rank = at < 0 ? 4 : k === q ? 0 : at === 0 ? 1 : k.charAt(at - 1) === " " ? 2 : 3;
        if (!best || rank < best.rank) { best = { rank: rank, alias: key[0] !== item.name ? key[0] : null }; }
      });
      if (best) {
        found.push({ id: item.id, name: item.name, sortKey: item.sortKey, rank: best.rank, alias: best.alias });
      }
    });
    found.sort(function (a, b) {
      return a.rank - b.rank || (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0) ||
        (a.id < b.id ? -1 : 1);
    });
    return found.slice(0, 12);
  }

  var input = document.getElementById("tl-search");
  var results = document.getElementById("tl-results");
  var active = -1;
  var current = [];

  function closeResults() {
    results.hidden = true;
    input.setAttribute("aria-expanded", "false");
    active = -1;
  }

  function pick(id) {
    closeResults();
    input.value = entityName(id);
    focusEntity(id);
  }

  /* What tells homonyms apart in a result: country and the start of the description. */
  function resultAbout(entity) {
    var parts = [];
    if (entity.country) { parts.push(entityName(entity.country)); }
    if (entity.description) {
      var text = String(entity.description);
      parts.push(text.length > 60 ? text.slice(0, 59) + "…" : text);
    }
    return parts.length ? el("span", { className: "result-about", text: parts.join(" · ") }) : null;
  }

  function drawResults() {
    results.replaceChildren();
    current.forEach(function (match, i) {
      var entity = entities.get(match.id);
      var type = types.get(entity.type);
      var item = el("li", { role: "option", id: "tl-result-" + i, "data-entity": match.id,
                            className: i === active ? "active" : "" },
        [swatch(type), " ", bdi(match.name),
         match.alias ? el("span", { className: "alias" }, [" (", bdi(match.alias), ")"]) : null,
         el("span", { className: "result-type", text: type ? type.label : String(entity.type) }),
         resultAbout(entity)]);
      item.addEventListener("mousedown", function (event) { event.preventDefault(); pick(match.id); });
      results.appendChild(item);
    });
    if (!current.length && input.value.trim()) {
      results.appendChild(el("li", { className: "empty", text: "No entity matches" }));
    }
    results.hidden = !input.value.trim();
    input.setAttribute("aria-expanded", results.hidden ? "false" : "true");
  }

  input.addEventListener("input", function () {
    current = search(input.value);
    active = current.length ? 0 : -1;
    drawResults();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!current.length) { return; }
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : current.length - 1)) % current.length;
      drawResults();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (current.length) { pick(current[Math.max(active, 0)].id); }
    } else if (event.key === "Escape") {
      closeResults();
    }
  });
  input.addEventListener("blur", closeResults);
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== input) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });
  document.getElementById("tl-reset").addEventListener("click", function () {
    network.unselectAll();
    highlight(null);
    showHome();
    network.fit({ animation: { duration: 300 } });
  });

  // ------------------------------------------------------------------ start

  Object.assign(window.tieline, {
    network: network, nodes: nodes, edges: edges, data: data,
    focusEntity: focusEntity, showEntity: showEntity, showFact: showFact, search: search,
    nameKey: nameKey,
    nodeOf: function (id) { return nodeOf.get(id); },
    edgeOf: function (factId) { return edgeOf.get(factId); },
    selectedEntities: function () {
      return network.getSelectedNodes().map(function (i) { return entityAt[i]; });
    },
    selectedFacts: function () {
      return network.getSelectedEdges().map(function (j) { return data.facts[j].id; });
    } });
  window.network = network;
  applyFilters();
  var selection = data.selection || {};
  if (selection.path && selection.path.length) {
    showPath();
  } else if (selection.focus && selection.focus.length) {
    var present = selection.focus.filter(function (id) { return entities.has(id); });
    network.selectNodes(present.map(function (id) { return nodeOf.get(id); }));
    if (present.length === 1) { showEntity(present[0]); } else { showHome(); }
  } else {
    showHome();
  }
}());
