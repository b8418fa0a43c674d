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
  var ACCENT = "#1f2328";

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
  var card = document.getElementById("tl-card");
  var EMBEDDED = window.self !== window.top;
  // In an iframe the wheel scrolls the article until the reader clicks the graph (no scroll trap).
  if (EMBEDDED) { options.clickToUse = true; }
  var nodes = new vis.DataSet(nodeList.map(function (n) { return Object.assign({}, n); }));
  var edges = new vis.DataSet(edgeList.map(function (e) { return Object.assign({}, e); }));
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  /* The view: everything the URL hash records (see "views in the URL" below). */
  var state = { typeOn: new Map(), relationOn: new Map(), certaintyOn: new Map(), highlighted: null,
                from: null, to: null, undated: true, focus: null, path: null,
                sizeBy: "facts", colourBy: "type" };
  var shown = { nodes: new Set(), facts: new Set() };
  function allOn() {
    data.types.forEach(function (t) { state.typeOn.set(t.id, true); });
    data.relations.forEach(function (r) { state.relationOn.set(r.id, true); });
    data.certainty.forEach(function (c) { state.certaintyOn.set(c.id, true); });
  }
  allOn();

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

  // ------------------------------------------------------------------ size by, colour by

  var PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7a5195",
                 "#8c6d31", "#2f4b7c", "#bc5090"];
  var OTHER_CLUSTER = "#9aa3ad";
  var metrics = new Map(Object.entries(data.metrics || {}));

  function clusterColour(community) {
    return community >= 1 && community <= PALETTE.length ? PALETTE[community - 1] : OTHER_CLUSTER;
  }

  /* The fill of a node under the chosen "colour by"; the export's own emphasis (border) is kept. */
  function baseColour(n) {
    if (state.colourBy !== "cluster") { return n.color; }
    var fill = clusterColour((metrics.get(entityAt[n.id]) || {}).community);
    return typeof n.color === "object"
      ? Object.assign({}, n.color, { background: fill, highlight: { background: fill, border: n.color.border } })
      : fill;
  }

  /* The drawn size under the chosen "size by": facts as exported, else grows with the square root of the share. */
  function sizeOf(n) {
    if (state.sizeBy === "facts") { return n.size; }
    var top = 0;
    metrics.forEach(function (m) { top = Math.max(top, m[state.sizeBy] || 0); });
    var value = (metrics.get(entityAt[n.id]) || {})[state.sizeBy] || 0;
    return Math.round((10 + 38 * (top > 0 ? Math.sqrt(value / top) : 0)) * 10) / 10;
  }

  var SIZE_HINTS = { facts: "the number of facts", betweenness: "betweenness (how often it lies on shortest paths)",
                     pagerank: "PageRank" };

  function applyLook() {
    nodes.update(nodeList.map(function (n) { return { id: n.id, size: sizeOf(n) }; }));
    highlight(state.highlighted);
    document.getElementById("tl-cluster-legend").hidden = state.colourBy !== "cluster";
    document.getElementById("tl-size-hint").textContent = "→ directed, — mutual. Node size: " +
      SIZE_HINTS[state.sizeBy] + ". Scroll or pinch to zoom, drag to pan.";
    document.getElementById("tl-size-by").value = state.sizeBy;
    document.getElementById("tl-colour-by").value = state.colourBy;
    document.querySelectorAll("#tl-types .swatch").forEach(function (s) {
      s.style.opacity = state.colourBy === "cluster" ? "0.35" : "";
    });
  }

  /* Dim every node and fact outside `scope` ({nodes: Set, edges: Set}); null restores them. */
  function highlight(scope) {
    state.highlighted = scope;
    var nodeFont = options.nodes.font.color;
    var edgeFont = options.edges.font.color;
    nodes.update(nodeList.map(function (n) {
      var lit = !scope || scope.nodes.has(n.id);
      return { id: n.id, color: lit ? baseColour(n) : DIM_NODE,
               font: { color: lit ? nodeFont : "#b3b9c1" } };
    }));
    edges.update(edgeList.map(function (e) {
      var lit = !scope || scope.edges.has(e.id);
      var onPath = scope && scope.path && scope.edges.has(e.id);
      return { id: e.id, color: onPath ? { color: ACCENT, highlight: ACCENT, hover: ACCENT }
                 : lit ? (e.color || options.edges.color) : DIM_EDGE,
               width: onPath ? 4 : (e.width || options.edges.width),
               font: { color: lit ? edgeFont : "rgba(0,0,0,0)",
                       background: lit ? options.edges.font.background : "rgba(0,0,0,0)" } };
    }));
  }

  // ------------------------------------------------------------------ what is shown: filters and time

  /* Whether a span [first day, last day] (ISO dates; null: open) overlaps the time range. */
  function inRange(span) {
    if (!span) { return true; }
    if (state.to && span[0] && span[0] > state.to) { return false; }
    if (state.from && span[1] && span[1] < state.from) { return false; }
    return true;
  }

  function timeActive() { return Boolean(state.from || state.to || !state.undated); }

  /* Work out which entities and facts the filters and the time range show (into `shown`). */
  function computeShown() {
    var nodeOk = new Set();
    entityAt.forEach(function (id, i) {
      var entity = entities.get(id);
      if (state.typeOn.get(entity.type) !== false && inRange(entity.span)) { nodeOk.add(i); }
    });
    var factIds = new Set();
    var linked = new Set();
    edgeList.forEach(function (e) {
      var fact = data.facts[e.id];
      var ok = state.relationOn.get(fact.relation) !== false &&
        state.certaintyOn.get(fact.certainty) !== false &&
        nodeOk.has(e.from) && nodeOk.has(e.to) &&
        (fact.span ? inRange(fact.span) : state.undated);
      if (ok) { factIds.add(e.id); linked.add(e.from); linked.add(e.to); }
    });
    // With a time range, an entity that has no fact in it is not there yet (or any more).
    var keep = timeActive() ? linked : nodeOk;
    [state.focus].concat(state.path || []).forEach(function (id) {
      if (nodeOf.has(id) && nodeOk.has(nodeOf.get(id))) { keep.add(nodeOf.get(id)); }
    });
    shown = { nodes: new Set(Array.from(keep).filter(function (i) { return nodeOk.has(i); })), facts: factIds };
  }

  function applyFilters() {
    computeShown();
    nodes.update(nodeList.map(function (n) { return { id: n.id, hidden: !shown.nodes.has(n.id) }; }));
    edges.update(edgeList.map(function (e) { return { id: e.id, hidden: !shown.facts.has(e.id) }; }));
    var text = "Showing " + shown.nodes.size + " of " + nodeList.length + " entities, " +
      shown.facts.size + " of " + edgeList.length + " facts";
    document.getElementById("tl-shown").textContent = text;
    document.getElementById("tl-list-caption").textContent = text.replace("Showing", "Facts shown:");
    listRows.forEach(function (row, j) { row.hidden = !shown.facts.has(j); });
    drawTime();
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
    var when = fact.when;  // worded by tieline (graph.query.fact_when): "on …", "since …", "from … to …"
    if (when) { meta.appendChild(el("span", { className: "when", text: when })); }
    var item = el("li", { className: "fact", "data-fact": fact.id }, [sentence(fact, current), meta]);
    if (fact.quote) { item.appendChild(el("blockquote", { className: "quote" }, [bdi(fact.quote)])); }
    if (fact.note) { item.appendChild(el("p", { className: "note" }, ["Note: ", bdi(fact.note)])); }
    item.appendChild(el("ul", { className: "sources" }, (fact.sources || []).map(sourceItem)));
    if (fact.statements) { item.appendChild(statementList(fact.statements)); }
    return item;
  }

  function statementList(statements) {  // a claim stated by several sources: each statement, as written
    return el("details", { className: "statements" }, [
      el("summary", { text: statements.length + " sources state this" }),
      el("ol", {}, statements.map(function (s) {
        var cited = (s.sources || []).map(function (id) { return (sources.get(id) || { title: id }).title || id; });
        var line = el("p", { className: "fact-meta", text: [cited.join("; "), s.certainty, s.when].filter(Boolean).join(" · ") });
        return el("li", {}, s.quote ? [line, el("blockquote", { className: "quote" }, [bdi(s.quote)])] : [line]);
      }))]);
  }

  // ------------------------------------------------------------------ the panel

  function showPanel(children) {
    card.replaceChildren.apply(card, children);
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
    var when = entity.when;  // graph.query.entity_when
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

  /* The facts shown at a node, and the entities at their other ends. */
  function shownNeighbourhood(node) {
    var scope = { nodes: new Set([node]), edges: new Set() };
    network.getConnectedEdges(node).forEach(function (j) {
      if (!shown.facts.has(j)) { return; }
      scope.edges.add(j);
      scope.nodes.add(edgeList[j].from);
      scope.nodes.add(edgeList[j].to);
    });
    return scope;
  }

  /* Select the focused entity, light its neighbourhood and open its card. */
  function showFocus(move) {
    var node = nodeOf.get(state.focus);
    network.unselectAll();
    network.selectNodes([node]);
    highlight(shownNeighbourhood(node));
    showEntity(state.focus);
    openSheet("tl-panel");
    if (move) {
      network.focus(node, { scale: Math.max(network.getScale(), 1.1),
                            animation: { duration: 450, easingFunction: "easeInOutQuad" } });
    }
  }

  /* Work out what is shown, then redraw the focus or the paths over it. */
  function update() {
    applyFilters();
    if (state.path) { showRoutes(); } else if (state.focus) { showFocus(false); }
  }

  function focusEntity(id) {
    var entity = entities.get(id);
    if (!entity) { return; }
    if (state.typeOn.get(entity.type) === false) {
      state.typeOn.set(entity.type, true);
      syncControls();
    }
    state.focus = id;
    state.path = null;
    applyFilters();
    showFocus(true);
    commit();
  }

  network.on("click", function (params) {
    state.path = null;
    if (params.nodes.length) {
      state.focus = entityAt[params.nodes[0]];
      showFocus(false);
    } else if (params.edges.length) {
      state.focus = null;
      highlight(factScope(params.edges[0]));
      showFact(data.facts[params.edges[0]].id);
      openSheet("tl-panel");
    } else {
      state.focus = null;
      highlight(null);
      showHome();
      closeSheet("tl-panel");
    }
    commit();
  });

  // ------------------------------------------------------------------ filters and legend

  function filterList(listId, items, onMap, label) {
    var list = document.getElementById(listId);
    items.forEach(function (item) {
      var box = el("input", { type: "checkbox", "data-id": item.id });
      box.checked = true;
      box.addEventListener("change", function () { onMap.set(item.id, box.checked); update(); commit(); });
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
      update();
      commit();
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

  /* A search box with its list of matches: arrows move, Enter picks, Escape closes (ARIA combobox). */
  function combobox(input, list, onPick) {
    var active = -1;
    var current = [];

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(id) {
      close();
      input.value = entityName(id);
      input.setAttribute("data-entity", id);
      onPick(id);
    }

    function draw() {
      list.replaceChildren();
      current.forEach(function (match, i) {
        var entity = entities.get(match.id);
        var type = types.get(entity.type);
        var item = el("li", { role: "option", id: list.id + "-" + i, "data-entity": match.id,
                              "aria-selected": i === active ? "true" : "false",
                              className: i === active ? "active" : "" },
          [swatch(type), " ", bdi(match.name),
           match.alias ? el("span", { className: "alias" }, [" (", bdi(match.alias), ")"]) : null,
           el("span", { className: "result-type", text: type ? type.label : String(entity.type) }),
           resultAbout(entity)]);
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(match.id); });
        list.appendChild(item);
      });
      if (!current.length && input.value.trim()) {
        list.appendChild(el("li", { className: "empty", role: "option", "aria-disabled": "true",
                                    "aria-selected": "false", text: "No entity matches" }));
      }
      list.hidden = !input.value.trim();
      input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
      if (active >= 0) { input.setAttribute("aria-activedescendant", list.id + "-" + active); }
      else { input.removeAttribute("aria-activedescendant"); }
    }

    input.addEventListener("input", function () {
      input.removeAttribute("data-entity");
      current = search(input.value);
      active = current.length ? 0 : -1;
      draw();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!current.length) { return; }
        event.preventDefault();
        if (list.hidden) { active = 0; } else {
          active = (active + (event.key === "ArrowDown" ? 1 : current.length - 1)) % current.length;
        }
        draw();
      } else if (event.key === "Enter" && !list.hidden && current.length) {
        event.preventDefault();
        choose(current[Math.max(active, 0)].id);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", close);
    return {
      /* The entity picked, else the best match of the typed text, else null. */
      entity: function () {
        var picked = input.getAttribute("data-entity");
        if (picked && entities.has(picked)) { return picked; }
        var found = search(input.value);
        return found.length ? found[0].id : null;
      },
      set: function (id) {
        input.value = id ? entityName(id) : "";
        if (id) { input.setAttribute("data-entity", id); } else { input.removeAttribute("data-entity"); }
      }
    };
  }

  var input = document.getElementById("tl-search");
  combobox(input, document.getElementById("tl-results"), focusEntity);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); }
  });
  var fromBox = combobox(document.getElementById("tl-from"), document.getElementById("tl-from-results"), function () {});
  var toBox = combobox(document.getElementById("tl-to"), document.getElementById("tl-to-results"), function () {});
  document.getElementById("tl-finder").addEventListener("submit", function (event) {
    event.preventDefault();
    var a = fromBox.entity(), b = toBox.entity();
    var missing = [[a, "tl-from"], [b, "tl-to"]].filter(function (pair) { return !pair[0]; }).map(function (pair) {
      return "“" + shortText(document.getElementById(pair[1]).value) + "”";
    });
    if (missing.length) { showNote(["no entity matches " + missing.join(" or ")]); return; }
    showNote([]);
    fromBox.set(a);
    toBox.set(b);
    findPath(a, b);
  });
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|SELECT|TEXTAREA)$/.test((document.activeElement || {}).tagName || "");
    if (event.key === "/" && !typing) {
      event.preventDefault();
      input.focus();
      input.select();
    } else if (event.key === "Escape") {
      ["tl-filters", "tl-panel"].forEach(closeSheet);
    }
  });
  document.getElementById("tl-reset").addEventListener("click", function () {
    state.focus = null;
    state.path = null;
    network.unselectAll();
    update();
    highlight(null);
    showHome();
    network.fit({ animation: { duration: 300 } });
    commit();
  });

  // ------------------------------------------------------------------ paths in the page

  var PATH_LIMIT = 50;
  var PATH_ENUMERATION_CAP = 10000;

  function compareLists(a, b) {
    for (var i = 0; i < Math.min(a.length, b.length); i += 1) {
      if (a[i] !== b[i]) { return a[i] < b[i] ? -1 : 1; }
    }
    return a.length - b.length;
  }

  /* Each shown entity's neighbours through shown facts, both ways (undirected, like `tieline path`). */
  function shownAdjacency() {
    var adjacency = new Map();
    function link(u, v) {
      if (!adjacency.has(u)) { adjacency.set(u, new Set()); }
      adjacency.get(u).add(v);
    }
    shown.facts.forEach(function (j) {
      var fact = data.facts[j];
      link(fact.subject, fact.object);
      link(fact.object, fact.subject);
    });
    return adjacency;
  }

  /* Every shortest path from a to b over the facts shown (breadth-first), as id lists in id order. */
  function shortestPaths(a, b, limit) {
    if (a === b) { return [[a]]; }
    var adjacency = shownAdjacency();
    var distance = new Map([[a, 0]]);
    var parents = new Map([[a, []]]);
    var frontier = [a];
    while (frontier.length && !distance.has(b)) {
      var next = [];
      frontier.forEach(function (u) {
        Array.from(adjacency.get(u) || []).sort().forEach(function (v) {
          if (!distance.has(v)) {
            distance.set(v, distance.get(u) + 1);
            parents.set(v, [u]);
            next.push(v);
          } else if (distance.get(v) === distance.get(u) + 1) {
            parents.get(v).push(u);
          }
        });
      });
      frontier = next;
    }
    if (!distance.has(b)) { return []; }
    var paths = [];
    var stack = [[b]];
    while (stack.length && paths.length < PATH_ENUMERATION_CAP) {
      var chain = stack.pop();
      var ups = parents.get(chain[chain.length - 1]);
      if (!ups.length) { paths.push(chain.slice().reverse()); continue; }
      ups.forEach(function (up) { stack.push(chain.concat([up])); });
    }
    return paths.sort(compareLists).slice(0, limit || PATH_LIMIT);
  }

  /* The shown facts between u and v, either way, in fact-id order. */
  function hopFacts(u, v) {
    return Array.from(shown.facts).sort(function (x, y) { return x - y; })
      .map(function (j) { return data.facts[j]; })
      .filter(function (f) { return (f.subject === u && f.object === v) || (f.subject === v && f.object === u); });
  }

  function showRoutes() {
    var a = state.path[0], b = state.path[1];
    var routes = shortestPaths(a, b, PATH_LIMIT);
    window.tieline.routes = routes;
    var scope = { nodes: new Set([nodeOf.get(a), nodeOf.get(b)]), edges: new Set(), path: true };
    var sections = routes.map(function (route, number) {
      route.forEach(function (id) { scope.nodes.add(nodeOf.get(id)); });
      var hops = route.slice(1).map(function (v, i) {
        var u = route[i];
        var between = hopFacts(u, v);
        between.forEach(function (f) { scope.edges.add(edgeOf.get(f.id)); });
        return el("li", { className: "hop" }, [
          el("p", { className: "hop-ends" }, [bdi(entityName(u)), " → ", bdi(entityName(v))]),
          el("ul", { className: "facts" }, between.map(function (f) { return factItem(f, u); }))]);
      });
      return el("section", { className: "route", "data-route": route.join("\u001f") }, [
        routes.length > 1 ? el("h3", { text: "Path " + (number + 1) }) : null,
        el("ol", { className: "path" }, hops)].filter(Boolean));
    });
    network.unselectAll();
    network.selectNodes([nodeOf.get(a), nodeOf.get(b)].filter(function (n) { return n !== undefined; }));
    highlight(scope);
    var steps = routes.length ? routes[0].length - 1 : 0;
    showPanel([
      el("p", { className: "type-badge", text: "Path" }),
      el("h2", {}, [bdi(entityName(a)), " → ", bdi(entityName(b))]),
      el("p", { className: "description", text: !routes.length
        ? "No path links them in the facts shown."
        : (routes.length === 1 ? "1 shortest path" : routes.length + " shortest paths") + " of " +
          (steps === 1 ? "1 step" : steps + " steps") + (routes.length === PATH_LIMIT ? " (the first " + PATH_LIMIT + ")" : "") +
          ", over the facts shown." })
    ].concat(sections));
    panel.setAttribute("data-showing", "path:" + a + "\u001f" + b);
    openSheet("tl-panel");
  }

  function findPath(a, b) {
    state.path = [a, b];
    state.focus = null;
    update();
    closeSheet("tl-filters");
    commit();
  }

  // ------------------------------------------------------------------ views in the URL

  /* The hash is untrusted input: values are decoded, checked against the data and only ever shown as text. */
  function decode(text) { return decodeURIComponent(text.replace(/\+/g, " ")); }
  function shortText(text) { return text.length > 80 ? text.slice(0, 79) + "…" : text; }

  function two(n) { return (n < 10 ? "0" : "") + n; }
  function isoDay(date) {
    var y = String(date.getUTCFullYear());
    return "0000".slice(y.length) + y + "-" + two(date.getUTCMonth() + 1) + "-" + two(date.getUTCDate());
  }
  function utcDay(y, m, d) { var date = new Date(0); date.setUTCFullYear(y, m, d); return date; }

  /* [first day, last day] of YYYY, YYYY-MM or YYYY-MM-DD (graph.dates.date_bounds), or null. */
  function dateBounds(text) {
    var m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(text);
    if (!m || Number(m[1]) < 1) { return null; }
    var y = Number(m[1]);
    if (m[3]) {
      var day = utcDay(y, Number(m[2]) - 1, Number(m[3]));
      return day.getUTCMonth() === Number(m[2]) - 1 && day.getUTCDate() === Number(m[3])
        ? [isoDay(day), isoDay(day)] : null;
    }
    if (m[2]) {
      var month = Number(m[2]);
      return month >= 1 && month <= 12 ? [isoDay(utcDay(y, month - 1, 1)), isoDay(utcDay(y, month, 0))] : null;
    }
    return [isoDay(utcDay(y, 0, 1)), isoDay(utcDay(y, 11, 31))];
  }

  function idList(raw) { return raw === "" ? [] : raw.split(",").map(decode); }

  function readChoices(map, known, what) {
    return function (raw) {
      var ids = idList(raw);
      var unknown = ids.filter(function (id) { return !known.has(id); });
      map.forEach(function (_, id) { map.set(id, ids.indexOf(id) >= 0); });
      return unknown.length ? "unknown " + what + " “" + shortText(unknown.join(", ")) + "”" : null;
    };
  }

  var READERS = new Map([
    ["focus", function (raw) {
      var id = decode(raw);
      if (!entities.has(id)) { return "no entity “" + shortText(id) + "” in this graph"; }
      state.focus = id;
      return null;
    }],
    ["path", function (raw) {
      var ids = idList(raw);
      var unknown = ids.filter(function (id) { return !entities.has(id); });
      if (ids.length !== 2 || unknown.length) {
        return "path “" + shortText(ids.join(",")) + "”: " + (unknown.length
          ? "no entity “" + shortText(unknown.join(", ")) + "” in this graph" : "give two entity ids");
      }
      state.path = ids;
      return null;
    }],
    ["types", readChoices(state.typeOn, types, "entity types")],
    ["relations", readChoices(state.relationOn, relations, "relations")],
    ["certainty", readChoices(state.certaintyOn, certainty, "certainty levels")],
    ["as-of", function (raw) {
      var bounds = dateBounds(decode(raw));
      if (!bounds) { return "as-of “" + shortText(decode(raw)) + "” is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"; }
      state.from = null;
      state.to = bounds[1];
      return null;
    }],
    ["between", function (raw) {
      var ends = decode(raw).split(",");
      var from = ends[0] ? dateBounds(ends[0]) : [null, null];
      var to = ends.length === 2 && ends[1] ? dateBounds(ends[1]) : [null, null];
      if (ends.length !== 2 || !from || !to || (from[0] && to[1] && from[0] > to[1])) {
        return "between “" + shortText(decode(raw)) + "” is not two dates in order (FROM,TO)";
      }
      state.from = from[0];
      state.to = to[1];
      return null;
    }],
    ["undated", function (raw) {
      if (raw !== "hide" && raw !== "show") { return "undated “" + shortText(decode(raw)) + "” (hide or show)"; }
      state.undated = raw === "show";
      return null;
    }],
    ["size", function (raw) {
      if (!SIZE_HINTS.hasOwnProperty(raw)) { return "size “" + shortText(decode(raw)) + "” (facts, betweenness or pagerank)"; }
      state.sizeBy = raw;
      return null;
    }],
    ["colour", function (raw) {
      if (raw !== "type" && raw !== "cluster") { return "colour “" + shortText(decode(raw)) + "” (type or cluster)"; }
      state.colourBy = raw;
      return null;
    }]
  ]);

  function choiceList(map) {
    var on = [];
    map.forEach(function (value, id) { if (value) { on.push(id); } });
    return on.length === map.size ? null : on.map(encodeURIComponent).join(",");
  }

  /* The hash that records the current view (empty for the page as exported). */
  function hashOf() {
    var parts = [];
    if (state.path) { parts.push("path=" + state.path.map(encodeURIComponent).join(",")); }
    else if (state.focus) { parts.push("focus=" + encodeURIComponent(state.focus)); }
    [["types", state.typeOn], ["relations", state.relationOn], ["certainty", state.certaintyOn]].forEach(function (pair) {
      var list = choiceList(pair[1]);
      if (list !== null) { parts.push(pair[0] + "=" + list); }
    });
    if (state.from) { parts.push("between=" + state.from + "," + (state.to || "")); }
    else if (state.to) { parts.push("as-of=" + state.to); }
    if (!state.undated) { parts.push("undated=hide"); }
    if (state.sizeBy !== "facts") { parts.push("size=" + state.sizeBy); }
    if (state.colourBy !== "type") { parts.push("colour=" + state.colourBy); }
    return parts.join("&");
  }

  var lastHash = location.hash;

  /* Record the view in the URL: a new history entry, so the back button steps back. */
  function commit() {
    var hash = hashOf();
    var wanted = hash ? "#" + hash : "";
    if (wanted === location.hash || playing) { return; }
    history.pushState(null, "", hash ? wanted : location.pathname + location.search);
    lastHash = location.hash;
  }

  function showNote(notes) {
    var note = document.getElementById("tl-note");
    note.textContent = notes.length ? "Ignored in the link: " + notes.join("; ") + "." : "";
    note.hidden = !notes.length;
  }

  /* Restore the view the hash describes; anything unknown or malformed is ignored with a note. */
  function restore() {
    lastHash = location.hash;
    allOn();
    Object.assign(state, { from: null, to: null, undated: true, focus: null, path: null,
                           sizeBy: "facts", colourBy: "type" });
    var notes = [];
    location.hash.replace(/^#/, "").split("&").filter(Boolean).forEach(function (part) {
      var at = part.indexOf("=");
      var key = at < 0 ? part : part.slice(0, at);
      var reader = READERS.get(key);
      try {
        var problem = reader ? reader(at < 0 ? "" : part.slice(at + 1)) : "unknown setting “" + shortText(decode(key)) + "”";
        if (problem) { notes.push(problem); }
      } catch (e) {
        notes.push("“" + shortText(part) + "” is not valid text");
      }
    });
    showNote(notes);
    syncControls();
    applyLook();
    update();
    if (!state.path && !state.focus) {
      network.unselectAll();
      highlight(null);
      showHome();
    }
  }

  function syncControls() {
    [["types", state.typeOn], ["relations", state.relationOn], ["certainty", state.certaintyOn]].forEach(function (pair) {
      document.querySelectorAll("#tl-" + pair[0] + " input").forEach(function (box) {
        box.checked = pair[1].get(box.getAttribute("data-id")) !== false;
      });
    });
    document.getElementById("tl-undated").checked = state.undated;
    fromBox.set(state.path ? state.path[0] : null);
    toBox.set(state.path ? state.path[1] : null);
  }

  // ------------------------------------------------------------------ time

  var DAY = 86400000;
  var firstDay = data.dates.first, lastDay = data.dates.last;
  var dayCount = firstDay ? Math.round((Date.parse(lastDay) - Date.parse(firstDay)) / DAY) : 0;
  var fromSlider = document.getElementById("tl-time-from");
  var toSlider = document.getElementById("tl-time-to");
  var playButton = document.getElementById("tl-play");
  var playing = null;

  function dayAt(i) { return isoDay(new Date(Date.parse(firstDay) + i * DAY)); }
  function sliderAt(iso, fallback) {
    if (!iso || !firstDay) { return fallback; }
    return Math.max(0, Math.min(dayCount, Math.round((Date.parse(iso) - Date.parse(firstDay)) / DAY)));
  }

  function drawTime() {
    fromSlider.value = String(sliderAt(state.from, 0));
    toSlider.value = String(sliderAt(state.to, dayCount));
    document.getElementById("tl-time-from-text").textContent = state.from || (firstDay ? "the start (" + firstDay + ")" : "—");
    document.getElementById("tl-time-to-text").textContent = state.to || (lastDay ? "the end (" + lastDay + ")" : "—");
    document.getElementById("tl-undated-count").textContent = String(data.dates.undated);
    playButton.textContent = playing ? "Pause" : "Play";
    playButton.setAttribute("aria-pressed", playing ? "true" : "false");
  }

  [fromSlider, toSlider].forEach(function (slider) {
    slider.max = String(dayCount);
    slider.disabled = !firstDay;
    slider.addEventListener("input", function () {
      var from = Number(fromSlider.value), to = Number(toSlider.value);
      if (from > to) { if (slider === fromSlider) { to = from; } else { from = to; } }
      state.from = from > 0 ? dayAt(from) : null;
      state.to = to < dayCount ? dayAt(to) : null;
      update();
    });
    slider.addEventListener("change", commit);
  });
  playButton.disabled = !data.dates.steps.length;

  function stopPlaying() {
    clearInterval(playing);
    playing = null;
    drawTime();
    commit();
  }

  /* Step "as of" through the days facts begin on, one per beat. */
  playButton.addEventListener("click", function () {
    if (playing) { stopPlaying(); return; }
    var steps = data.dates.steps, i = 0;
    function step() {
      if (i >= steps.length) { stopPlaying(); return; }
      state.from = null;
      state.to = steps[i];
      i += 1;
      update();
    }
    playing = setInterval(step, 900);
    step();
  });
  document.getElementById("tl-undated").addEventListener("change", function (event) {
    state.undated = event.target.checked;
    update();
    commit();
  });

  // ------------------------------------------------------------------ look, list, sheets, image

  document.getElementById("tl-size-by").addEventListener("change", function (event) {
    state.sizeBy = SIZE_HINTS.hasOwnProperty(event.target.value) ? event.target.value : "facts";
    applyLook();
    commit();
  });
  document.getElementById("tl-colour-by").addEventListener("change", function (event) {
    state.colourBy = event.target.value === "cluster" ? "cluster" : "type";
    applyLook();
    commit();
  });
  (data.clusters || []).forEach(function (cluster) {
    document.getElementById("tl-clusters").appendChild(el("li", { className: "legend-row" }, [
      swatch({ shape: "dot", color: clusterColour(cluster.id) }), " ",
      bdi(cluster.id <= PALETTE.length ? entityName(cluster.label) : "other clusters"),
      el("span", { className: "count", text: String(cluster.size) })]));
  });
  var otherClusters = document.querySelectorAll("#tl-clusters li");
  Array.prototype.slice.call(otherClusters, PALETTE.length + 1).forEach(function (li) { li.remove(); });

  var listRows = data.facts.map(function (fact) {
    var cited = (fact.sources || []).map(function (id) {
      var source = sources.get(id) || {};
      return source.title || id;
    }).join("; ");
    return el("tr", { "data-fact": fact.id }, [
      el("td", {}, [entityRef(fact.subject, null)]),
      el("td", {}, [bdi(fact.label || fact.relation)]),
      el("td", {}, [entityRef(fact.object, null)]),
      el("td", {}, [bdi(fact.when || "undated")]),
      el("td", {}, [bdi(fact.certainty || "")]),
      el("td", {}, [bdi(cited)])]);
  });
  document.getElementById("tl-list-rows").replaceChildren.apply(document.getElementById("tl-list-rows"), listRows);
  var listToggle = document.getElementById("tl-list-toggle");
  listToggle.addEventListener("click", function () {
    var list = document.getElementById("tl-list");
    list.hidden = !list.hidden;
    listToggle.setAttribute("aria-pressed", list.hidden ? "false" : "true");
    listToggle.textContent = list.hidden ? "List of facts" : "Graph";
  });

  function openSheet(id) {
    document.getElementById(id).classList.add("open");
    var opener = document.querySelector('[aria-controls="' + id + '"].phone-only');
    if (opener) { opener.setAttribute("aria-expanded", "true"); }
  }
  function closeSheet(id) {
    document.getElementById(id).classList.remove("open");
    var opener = document.querySelector('[aria-controls="' + id + '"].phone-only');
    if (opener) { opener.setAttribute("aria-expanded", "false"); }
  }
  document.querySelectorAll(".phone-only[aria-controls]").forEach(function (button) {
    button.addEventListener("click", function () {
      var id = button.getAttribute("aria-controls");
      var open = document.getElementById(id).classList.contains("open");
      ["tl-filters", "tl-panel"].forEach(closeSheet);
      if (!open) { openSheet(id); }
    });
  });
  document.querySelectorAll("[data-close]").forEach(function (button) {
    button.addEventListener("click", function () { closeSheet(button.getAttribute("data-close")); });
  });

  /* What the picture says about time: the range shown, else the data set's date. */
  function timeCaption() {
    if (state.from) { return "from " + state.from + " to " + (state.to || lastDay || ""); }
    if (state.to) { return "as of " + state.to; }
    return data.dataset && data.dataset.date ? "as of " + data.dataset.date : "";
  }

  function creditLine() {
    var cited = new Set();
    shown.facts.forEach(function (j) {
      (data.facts[j].sources || []).forEach(function (id) {
        var source = sources.get(id) || {};
        cited.add(String(source.publisher || source.title || id));
      });
    });
    var names = Array.from(cited).sort();
    return (names.length ? "Sources: " + names.join("; ") + ". " : "") + "Made with tieline.";
  }

  function fitText(ctx, text, width) {
    if (ctx.measureText(text).width <= width) { return text; }
    while (text.length > 1 && ctx.measureText(text + "…").width > width) { text = text.slice(0, -1); }
    return text + "…";
  }

  /* The current view as a PNG at twice the screen's resolution, with title, date and credit drawn in. */
  function pictureCanvas() {
    var scale = 2, head = 56, foot = 34;
    var drawing = network.canvas;
    drawing._determinePixelRatio = function () { return scale; };
    drawing.setSize();
    network.redraw();
    var graph = drawing.frame.canvas;
    var out = document.createElement("canvas");
    out.width = graph.width;
    out.height = graph.height + (head + foot) * scale;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(graph, 0, head * scale);
    delete drawing._determinePixelRatio;
    drawing.setSize();
    network.redraw();
    var width = out.width - 32 * scale;
    var face = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif";
    ctx.fillStyle = "#1f2328";
    ctx.font = "600 " + 18 * scale + "px " + face;
    ctx.fillText(fitText(ctx, String((data.dataset || {}).name || "tieline graph"), width), 16 * scale, 26 * scale);
    ctx.fillStyle = "#57606a";
    ctx.font = 13 * scale + "px " + face;
    ctx.fillText(fitText(ctx, timeCaption(), width), 16 * scale, 46 * scale);
    ctx.font = 12 * scale + "px " + face;
    ctx.fillText(fitText(ctx, creditLine(), width), 16 * scale, out.height - 12 * scale);
    return out;
  }

  function imageName() {
    var slug = String((data.dataset || {}).name || "tieline graph").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);
    return (slug || "graph") + ".png";
  }

  document.getElementById("tl-download").addEventListener("click", function () {
    var link = el("a", { href: pictureCanvas().toDataURL("image/png"), download: imageName() });
    document.body.appendChild(link);
    link.click();
    link.remove();
  });

  // ------------------------------------------------------------------ start

  Object.assign(window.tieline, {
    network: network, nodes: nodes, edges: edges, data: data,
    focusEntity: focusEntity, showEntity: showEntity, showFact: showFact, search: search,
    nameKey: nameKey, dateBounds: dateBounds, shortestPaths: shortestPaths, hashOf: hashOf,
    pictureCanvas: pictureCanvas,
    nodeOf: function (id) { return nodeOf.get(id); },
    edgeOf: function (factId) { return edgeOf.get(factId); },
    shownEntities: function () {
      return Array.from(shown.nodes).sort(function (a, b) { return a - b; }).map(function (i) { return entityAt[i]; });
    },
    shownFacts: function () {
      return Array.from(shown.facts).sort(function (a, b) { return a - b; }).map(function (j) { return data.facts[j].id; });
    },
    selectedEntities: function () {
      return network.getSelectedNodes().map(function (i) { return entityAt[i]; });
    },
    selectedFacts: function () {
      return network.getSelectedEdges().map(function (j) { return data.facts[j].id; });
    } });
  window.network = network;
  window.addEventListener("popstate", function () { if (location.hash !== lastHash) { restore(); } });
  window.addEventListener("hashchange", function () { if (location.hash !== lastHash) { restore(); } });
  applyFilters();
  applyLook();
  var selection = data.selection || {};
  if (location.hash.length > 1) {
    restore();
  } else if (selection.path && selection.path.length) {
    showPath();
  } else if (selection.focus && selection.focus.length) {
    var present = selection.focus.filter(function (id) { return entities.has(id); });
    network.selectNodes(present.map(function (id) { return nodeOf.get(id); }));
    if (present.length === 1) { showEntity(present[0]); } else { showHome(); }
  } else {
    showHome();
  }
}());
