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
  var R = tielineRules;  // the twins of Python rules (rules.js)
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
  var PHONE = window.matchMedia("(max-width: 1080px)");
  // In an iframe the wheel scrolls the article until the reader clicks the graph (no scroll trap).
  if (EMBEDDED) { options.clickToUse = true; }
  // Names and fact labels are drawn by the page itself (see "labels" below), legibly and without
  // collisions; vis-network draws the shapes and lines.
  var nodes = new vis.DataSet(nodeList.map(function (n) { return Object.assign({}, n, { label: undefined }); }));
  var edges = new vis.DataSet(edgeList.map(function (e) { return Object.assign({}, e, { label: undefined }); }));
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  // Embedded and not clicked yet: the wheel is the article's (vis-network would zoom and keep it).
  container.addEventListener("wheel", function (event) {
    if (EMBEDDED && !(network.activator && network.activator.active)) { event.stopPropagation(); }
  }, { capture: true, passive: true });
  /* The view: everything the URL hash records (see "views in the URL" below). */
  var state = { typeOn: new Map(), relationOn: new Map(), certaintyOn: new Map(), highlighted: null,
                from: null, to: null, undated: true, focus: null, path: null, fact: null, tour: null,
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

  /* Show these vis nodes (all shown ones when empty), with a margin for the names drawn at the
   * edges, never closer than reading size. At once, not animated: the names are placed for the view. */
  function fitTo(ids) {
    var list = Array.from(ids || []).filter(function (i) { return shown.nodes.has(i); });
    network.fit({ nodes: list.length ? list : Array.from(shown.nodes), animation: false });
    network.moveTo({ scale: Math.min(network.getScale() * 0.88, 1.4), animation: false });
  }

  // ------------------------------------------------------------------ labels

  /* Names are drawn at LABEL_PX on the screen whatever the zoom, most connected first, and only
   * where they do not overlap a name already drawn: the rest appear as the reader zooms in, and
   * on hover. When something is lit (a focus, a path, a tour step, a fact), only its names are
   * drawn, and its facts are labelled on their lines. */
  var LABEL_PX = 13, EDGE_LABEL_PX = 12, LABEL_MAX = 32, LABEL_CANDIDATES = 400;
  var FACE = options.nodes.font.face;
  var hovered = null;
  var drawnLabels = [], drawnBoxes = [], drawnFacts = [];
  var byDegree = entityAt.map(function (_, i) { return i; }).sort(function (a, b) {
    return (factsOf.get(entityAt[b]) || []).length - (factsOf.get(entityAt[a]) || []).length ||
      (entityAt[a] < entityAt[b] ? -1 : 1);
  });
  var sizes = new Map(nodeList.map(function (n) { return [n.id, n.size]; }));

  function labelText(name) {
    name = String(name);
    return name.length > LABEL_MAX ? name.slice(0, LABEL_MAX - 1) + "…" : name;
  }

  function labelOrder() {
    var scope = state.highlighted;
    var first = [];
    if (hovered !== null) { first.push(hovered); }
    network.getSelectedNodes().forEach(function (i) { first.push(i); });
    var step = state.tour && tourSteps[state.tour - 1];
    if (step) {  // the step's own entities, in the curator's order, then the ends of its path
      step.entities.concat(step.path).forEach(function (id) {
        if (nodeOf.has(id) && (!scope || scope.nodes.has(nodeOf.get(id)))) { first.push(nodeOf.get(id)); }
      });
    }
    var rest = byDegree.filter(function (i) { return !scope || scope.nodes.has(i); });
    var seen = new Set();
    return first.concat(rest.slice(0, LABEL_CANDIDATES)).filter(function (i) {
      if (seen.has(i) || !shown.nodes.has(i)) { return false; }
      seen.add(i);
      return true;
    });
  }

  function collides(box, boxes) {
    return boxes.some(function (b) { return box.x1 < b.x2 && box.x2 > b.x1 && box.y1 < b.y2 && box.y2 > b.y1; });
  }

  /* The facts whose lines are labelled: those lit, when few enough to read. */
  function labelledFacts() {
    var scope = state.highlighted;
    if (!scope || !scope.edges || scope.edges.size > 24) { return []; }
    return Array.from(scope.edges).filter(function (j) { return shown.facts.has(j); }).sort(function (a, b) { return a - b; });
  }

  function edgeMiddle(j) {
    var edge = network.body && network.body.edges[j];
    if (edge && edge.edgeType && edge.edgeType.getPoint) {
      try { return edge.edgeType.getPoint(0.5); } catch (e) { /* fall back to the straight middle */ }
    }
    var ends = network.getPositions([edgeList[j].from, edgeList[j].to]);
    var a = ends[edgeList[j].from], b = ends[edgeList[j].to];
    return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  }

  function drawText(ctx, text, x, y, px, scale, weight, colour, background) {
    ctx.font = weight + " " + px / scale + "px " + FACE;
    if (background) {
      var w = ctx.measureText(text).width;
      ctx.fillStyle = background;
      ctx.fillRect(x - w / 2 - 2 / scale, y - 1 / scale, w + 4 / scale, (px + 3) / scale);
    } else {
      ctx.lineWidth = 4 / scale;
      ctx.lineJoin = "round";
      ctx.strokeStyle = "rgba(255,255,255,0.92)";
      ctx.strokeText(text, x, y);
    }
    ctx.fillStyle = colour;
    ctx.fillText(text, x, y);
  }

  function drawLabels(ctx) {
    var scale = network.getScale();
    var width = container.clientWidth, height = container.clientHeight;
    var boxes = [];
    var drawn = [];
    drawnBoxes = [];
    drawnFacts = [];
    ctx.save();
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    var order = labelOrder();
    var positions = network.getPositions(order);
    var discs = [];
    order.forEach(function (i) {
      var p = positions[i];
      if (!p) { return; }
      var c = network.canvasToDOM(p), r = (sizes.get(i) || 10) * scale;
      discs.push({ x1: c.x - r, x2: c.x + r, y1: c.y - r, y2: c.y + r, node: i });
    });
    order.forEach(function (i) {
      var p = positions[i];
      if (!p) { return; }
      var text = labelText(entityName(entityAt[i]));
      var strong = i === hovered || network.getSelectedNodes().indexOf(i) >= 0;
      var px = strong ? LABEL_PX + 1 : LABEL_PX;
      ctx.font = (strong ? "700 " : "600 ") + px + "px " + FACE;
      var w = ctx.measureText(text).width;
      var dom = network.canvasToDOM(p);
      var gap = (sizes.get(i) || 10) * scale + 3;
      var others = discs.filter(function (d) { return d.node !== i; });
      var shift = 0;
      // below the node, else above it; wholly on the screen; covering no name and no lit node
      var box = [gap - 1, -gap - px - 3].map(function (dy) {
        var b = { x1: dom.x - w / 2 - 3, x2: dom.x + w / 2 + 3, y1: dom.y + dy, y2: dom.y + dy + px + 4 };
        b.shift = b.x1 < 2 ? 2 - b.x1 : b.x2 > width - 2 ? width - 2 - b.x2 : 0;
        b.x1 += b.shift;
        b.x2 += b.shift;
        b.dy = dy;
        return b;
      }).filter(function (b) {
        return b.x1 >= 0 && b.x2 <= width && b.y1 >= 0 && b.y2 <= height &&
          (i === hovered || (!collides(b, boxes) && !collides(b, others)));
      })[0];
      if (!box) { return; }
      shift = box.shift;
      boxes.push(box);
      drawText(ctx, text, p.x + shift / scale, p.y + (box.dy + 1) / scale, px, scale, strong ? "700" : "600", "#1f2328", null);
      drawn.push(entityName(entityAt[i]));
      drawnBoxes.push({ name: entityName(entityAt[i]), px: px, x1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2 });
    });
    labelledFacts().forEach(function (j) {
      var m = edgeMiddle(j);
      var text = labelText(data.facts[j].label || data.facts[j].relation);
      ctx.font = "400 " + EDGE_LABEL_PX + "px " + FACE;
      var w = ctx.measureText(text).width;
      var dom = network.canvasToDOM(m);
      var box = { x1: dom.x - w / 2 - 2, x2: dom.x + w / 2 + 2, y1: dom.y - EDGE_LABEL_PX / 2 - 1, y2: dom.y + EDGE_LABEL_PX / 2 + 2 };
      if (collides(box, boxes) || collides(box, discs)) { return; }
      boxes.push(box);
      drawText(ctx, text, m.x, m.y - (EDGE_LABEL_PX / 2) / scale, EDGE_LABEL_PX, scale, "400", "#3d444d",
               "rgba(255,255,255,0.9)");
      drawnFacts.push(data.facts[j].id);
    });
    ctx.restore();
    drawnLabels = drawn;
  }

  network.on("afterDrawing", drawLabels);
  network.on("hoverNode", function (params) { hovered = params.node; network.redraw(); });
  network.on("blurNode", function () { hovered = null; network.redraw(); });

  /* The shown node nearest a point on the screen, within a 44-pixel target (22 px around it). */
  function nodeNear(point) {
    var best = null, bestDistance = Infinity;
    var positions = network.getPositions(Array.from(shown.nodes));
    Object.keys(positions).forEach(function (key) {
      var dom = network.canvasToDOM(positions[key]);
      var reach = Math.max(22, (sizes.get(Number(key)) || 10) * network.getScale());
      var d = Math.hypot(dom.x - point.x, dom.y - point.y);
      if (d <= reach && d < bestDistance) { best = Number(key); bestDistance = d; }
    });
    return best;
  }

  if (!nodeList.length) {
    setTimeout(markReady, 0);
  } else if (data.physics) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      firstFit();
      markReady();
    });
  } else {
    network.once("afterDrawing", function () { firstFit(); markReady(); });
  }

  /* The first view: what is lit (a tour step, a focus, a path), else everything, at reading size. */
  function firstFit() {
    var scope = state.highlighted;
    fitTo(scope && (state.tour || state.path) ? scope.nodes : null);
    if (state.focus && !state.tour) { network.focus(nodeOf.get(state.focus), { scale: Math.max(network.getScale(), 1.1) }); }
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
    var parts = R.sentenceParts(fact, current);
    return el("p", { className: "sentence" },
      [entityRef(parts.first, current), " ", el("span", { className: "verb", text: parts.verb }), " ",
       entityRef(parts.second, current)]);
  }

  /* The same sentence as plain text: "Kirill Dmitriev heads RDIF". */
  function sentenceText(fact, current) {
    var parts = R.sentenceParts(fact, current);
    return entityName(parts.first) + " " + parts.verb + " " + entityName(parts.second);
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

  /* Work out what is shown, then redraw the focus, the paths, the fact or the tour step over it. */
  function update() {
    applyFilters();
    if (state.path) { showRoutes(); }
    else if (state.focus) { showFocus(false); }
    else if (state.fact) { showFactView(); }
    else if (state.tour) { showTour(false); }
    drawTour();
  }

  /* The selected fact: its line and ends lit, its card open. */
  function showFactView() {
    var j = edgeOf.get(state.fact);
    network.unselectAll();
    network.selectEdges([j]);
    highlight(factScope(j));
    showFact(state.fact);
    openSheet("tl-panel");
  }

  /* Leave any selection (focus, path, fact, tour step) for `what`. */
  function select(what) {
    Object.assign(state, { focus: null, path: null, fact: null, tour: null }, what);
  }

  function focusEntity(id) {
    var entity = entities.get(id);
    if (!entity) { return; }
    if (state.typeOn.get(entity.type) === false) {
      state.typeOn.set(entity.type, true);
      syncControls();
    }
    select({ focus: id });
    applyFilters();
    showFocus(true);
    drawTour();
    commit();
  }

  /* Open a fact's card (from the tour, the list or the graph), its line lit. */
  function focusFact(id) {
    if (!facts.has(id)) { return; }
    select({ fact: id });
    update();
    commit();
  }

  network.on("click", function (params) {
    var node = params.nodes.length ? params.nodes[0] : null;
    if (node === null && !params.edges.length && params.pointer) { node = nodeNear(params.pointer.DOM); }
    if (node !== null) {
      select({ focus: entityAt[node] });
      showFocus(false);
    } else if (params.edges.length) {
      select({ fact: data.facts[params.edges[0]].id });
      showFactView();
    } else {
      select({});
      network.unselectAll();
      highlight(null);
      showHome();
      closeSheet("tl-panel");
    }
    drawTour();
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

  /* The names' keys come from Python (graph/names.py `name_key`, `id_key`, `latin_key`, in
   * data.name_keys): the page never folds a name itself. Only the text being typed is folded here,
   * by the twins in rules.js (nameKey, latinKey with the table from Python, soundKey). */
  var nameKey = R.nameKey;
  var LATIN = R.latinTable(data.latin_table);

  var nameKeys = new Map(Object.entries(data.name_keys));
  var searchIndex = Array.from(entities.values()).map(function (entity) {
    var keys = nameKeys.get(entity.id);
    var texts = [entity.name || entity.id].concat(entity.aliases || [], [entity.id]);
    var all = [keys.name].concat(keys.aliases, [keys.id]).map(function (k, i) { return [texts[i], k]; });
    var latin = new Map((keys.latin || []).map(function (pair) { return [pair[0], pair[1]]; }));
    // Each name, alias and id: [text, name key, latin key, word-set key, sound key] (graph.names).
    var loose = all.map(function (pair) {
      var lat = latin.has(pair[0]) ? latin.get(pair[0]) : pair[1];
      return [pair[0], pair[1], lat, R.wordSetKey(lat), R.soundKey(lat)];
    });
    return { id: entity.id, name: entity.name, sortKey: keys.name, keys: all.concat(keys.latin || []), loose: loose };
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

  /* The rank of key `k` for the typed key `q`: 0 the same, 1 its start, 2 a word's start, 3 inside. */
  function rankIn(q, k) {
    var at = k.indexOf(q);
    return at < 0 ? -1 : k === q ? 0 : at === 0 ? 1 : k.charAt(at - 1) === " " ? 2 : 3;
  }

  /* Matches of typed text, best first, like `tieline search`: the same name, alias or id, then a
   * name starting with it, a word starting with it, containing it; the words in another order;
   * text in another script transliterated (Дмитриев finds Dmitriev) and by sound (Зеленский finds
   * Zelenskyy); a typo within one edit (two from 8 letters). Ties: the name the text covers most. */
  function search(query) {
    var q = nameKey(query);
    if (!q) { return []; }
    var ascii = /^[\x00-\x7f]*$/.test(q);
    var ql = ascii ? q : R.latinKey(q, LATIN);
    var qw = R.wordSetKey(ql), qs = R.soundKey(ql);
    var found = [];
    searchIndex.forEach(function (item) {
      var best = null;
      function offer(rank, text, key) {
        var cover = q.length / Math.max(key.length, 1);
        if (!best || rank < best.rank || (rank === best.rank && cover > best.cover)) {
          best = { rank: rank, cover: cover, alias: text !== item.name ? text : null };
        }
      }
      item.loose.forEach(function (names) {
        var text = names[0], key = names[1], lat = names[2];
        var rank = rankIn(q, key);
        if (rank >= 0) { offer(rank, text, key); return; }
        if (q.indexOf(" ") >= 0 && qw === R.wordSetKey(key)) { offer(0.5, text, key); return; }
        if (!ascii) {
          rank = rankIn(ql, lat);
          if (rank >= 0) { offer(rank + 0.25, text, lat); return; }
          if (qw === names[3]) { offer(0.5, text, lat); return; }
          var nameSounds = names[4].split(" ");
          if (qs === names[4] || qs.split(" ").every(function (w) { return nameSounds.indexOf(w) >= 0; })) {
            offer(qs === names[4] ? 3.5 : 3.75, text, lat); return;
          }
        }
        if (nearly(q, key)) { offer(4, text, key); }
      });
      (item.keys.slice(item.loose.length) || []).forEach(function (pair) {  // latin keys of other scripts
        var rank = rankIn(ql, pair[1]);
        if (rank >= 0) { offer(rank + 0.25, pair[0], pair[1]); }
      });
      if (best) {
        found.push({ id: item.id, name: item.name, sortKey: item.sortKey, rank: best.rank, cover: best.cover,
                     alias: best.alias });
      }
    });
    found.sort(function (a, b) {
      return a.rank - b.rank || b.cover - a.cover ||
        (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0) || (a.id < b.id ? -1 : 1);
    });
    return found.slice(0, 12);
  }

  /* A pointer pressed anywhere: a list that loses the focus to it closes once the press is over,
   * so that what the press was aimed at (the "Find paths" button) does not move away under it. */
  var pointerDown = false, afterPress = [];
  document.addEventListener("pointerdown", function () { pointerDown = true; }, true);
  document.addEventListener("pointerup", function () {
    setTimeout(function () {
      pointerDown = false;
      afterPress.splice(0).forEach(function (f) { f(); });
    }, 0);
  }, true);

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
          [el("span", { className: "result-name" }, [swatch(type), " ", bdi(match.name),
            match.alias ? el("span", { className: "alias" }, [" (", bdi(match.alias), ")"]) : null]),
           el("span", { className: "result-line" }, [
             el("span", { className: "result-type", text: type ? type.label : String(entity.type) }),
             resultAbout(entity)])]);
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
    input.addEventListener("blur", function () {
      if (pointerDown) { afterPress.push(close); } else { close(); }
    });
    return {
      /* {id} of the entity picked, else of the best match of the typed text; {matches} when the
       * text is the name of several entities (homonyms: the reader picks one); {} when none. */
      entity: function () {
        var picked = input.getAttribute("data-entity");
        if (picked && entities.has(picked)) { return { id: picked }; }
        var found = search(input.value);
        var same = found.filter(function (m) { return m.rank === 0; });
        if (same.length > 1) { return { matches: same }; }
        return found.length ? { id: found[0].id } : {};
      },
      /* Open the list on these matches (to pick among homonyms). */
      offer: function (matches) {
        current = matches;
        active = 0;
        draw();
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
  var finderNote = document.getElementById("tl-finder-note");
  function sayInFinder(text) {
    finderNote.textContent = text;
    finderNote.hidden = !text;
  }
  document.getElementById("tl-finder").addEventListener("submit", function (event) {
    event.preventDefault();
    var ends = [[fromBox, "tl-from", "From"], [toBox, "tl-to", "To"]].map(function (box) {
      return { box: box[0], field: box[2], typed: document.getElementById(box[1]).value.trim(), found: box[0].entity() };
    });
    var problems = [];
    ends.forEach(function (end) {
      if (!end.typed) { problems.push(end.field + ": type a name."); }
      else if (end.found.matches) {
        problems.push(end.field + ": “" + shortText(end.typed) + "” is the name of " + end.found.matches.length +
          " entities (" + end.found.matches.map(function (m) {
            var entity = entities.get(m.id);
            return m.name + ", " + ((types.get(entity.type) || {}).label || entity.type);
          }).join("; ") + "): pick one from the list.");
        end.box.offer(end.found.matches);
      } else if (!end.found.id) {
        problems.push(end.field + ": no entity is called “" + shortText(end.typed) + "” (names, aliases and ids are searched).");
      }
    });
    if (problems.length) { sayInFinder(problems.join(" ")); return; }
    sayInFinder("");
    fromBox.set(ends[0].found.id);
    toBox.set(ends[1].found.id);
    findPath(ends[0].found.id, ends[1].found.id);
  });
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|SELECT|TEXTAREA)$/.test((document.activeElement || {}).tagName || "");
    if (event.key === "/" && !typing) {
      event.preventDefault();
      input.focus();
      input.select();
    } else if (state.tour && !typing && !event.altKey && !event.ctrlKey && !event.metaKey &&
               /^(ArrowRight|ArrowLeft|PageDown|PageUp)$/.test(event.key) &&
               !(document.activeElement && document.activeElement.closest && document.activeElement.closest("#tl-network"))) {
      event.preventDefault();
      goTour(state.tour + (event.key === "ArrowRight" || event.key === "PageDown" ? 1 : -1));
    } else if (event.key === "Escape") {
      ["tl-filters", "tl-panel"].forEach(closeSheet);
    }
  });
  document.getElementById("tl-reset").addEventListener("click", function () {
    select({});
    input.value = "";
    fromBox.set(null);
    toBox.set(null);
    sayInFinder("");
    showNote([]);
    allOn();
    Object.assign(state, { from: null, to: null, undated: true, sizeBy: "facts", colourBy: "type" });
    syncControls();
    applyLook();
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

  /* Every shortest path from a to b over the facts shown, as id lists in id order (rules.js). */
  function shortestPaths(a, b, limit) {
    return R.shortestPaths(shownAdjacency(), a, b, limit || PATH_LIMIT, PATH_ENUMERATION_CAP);
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
    if (!PHONE.matches) { openSheet("tl-panel"); }  // on a phone the sheet would cover the path: "Details" opens it
  }

  function findPath(a, b) {
    select({ path: [a, b] });
    update();
    closeSheet("tl-filters");
    commit();
  }

  // ------------------------------------------------------------------ the guided tour

  /* The curator's tour (the data's `tour:` section, graph/tour.py): one step at a time, each with
   * a title, a caption, what to light (entities, facts, the shortest paths between two entities)
   * and every highlighted fact's card one tap away. Next and previous by button, arrow keys or a
   * swipe on the card; the step is in the URL (#tour=N). */
  var tourSteps = (data.tour && data.tour.steps) || [];
  var tourBox = document.getElementById("tl-tour");

  /* What a step lights, over what is shown: its entities, its facts and its paths' facts. */
  function tourScope(step) {
    var scope = { nodes: new Set(), edges: new Set(), path: false };
    step.entities.forEach(function (id) { if (nodeOf.has(id)) { scope.nodes.add(nodeOf.get(id)); } });
    step.facts.forEach(function (id) {
      var j = edgeOf.get(id);
      if (j !== undefined && shown.facts.has(j)) {
        scope.edges.add(j);
        scope.nodes.add(edgeList[j].from);
        scope.nodes.add(edgeList[j].to);
      }
    });
    if (step.path.length === 2) {
      scope.path = true;
      shortestPaths(step.path[0], step.path[1], PATH_LIMIT).forEach(function (route) {
        route.forEach(function (id) { scope.nodes.add(nodeOf.get(id)); });
        route.slice(1).forEach(function (v, i) {
          hopFacts(route[i], v).forEach(function (f) { scope.edges.add(edgeOf.get(f.id)); });
        });
      });
    }
    return scope;
  }

  /* The highlighted facts of a step, in the order the curator listed them (then path order). */
  function tourFacts(scope, step) {
    var listed = step.facts.map(function (id) { return edgeOf.get(id); }).filter(function (j) { return scope.edges.has(j); });
    var rest = Array.from(scope.edges).filter(function (j) { return listed.indexOf(j) < 0; }).sort(function (a, b) { return a - b; });
    return listed.concat(rest).map(function (j) { return data.facts[j]; });
  }

  function showTour(move) {
    var step = tourSteps[state.tour - 1];
    var scope = tourScope(step);
    network.unselectAll();
    highlight(scope);
    if (move) { fitTo(scope.nodes); }
  }

  /* The tour card: the step (when the tour is on) or a button to take it. */
  function drawTour() {
    if (!tourSteps.length) { tourBox.hidden = true; return; }
    tourBox.hidden = false;
    var children;
    if (!state.tour) {
      children = [el("button", { type: "button", className: "tool tour-start", onclick: function () { goTour(1); },
                                 text: "Take the tour (" + tourSteps.length + " steps)" })];
    } else {
      var step = tourSteps[state.tour - 1];
      var scope = tourScope(step);
      var list = tourFacts(scope, step).map(function (fact) {
        return el("li", {}, [el("button", { type: "button", className: "tour-fact", "data-fact": fact.id,
          onclick: function (event) {
            showFact(fact.id);
            highlight(factScope(edgeOf.get(fact.id)));
            openSheet("tl-panel");
            tourBox.querySelectorAll("button.tour-fact").forEach(function (b) { b.removeAttribute("aria-current"); });
            event.currentTarget.setAttribute("aria-current", "true");
          },
          text: sentenceText(fact, fact.subject) })]);
      });
      children = [
        el("p", { className: "tour-count", id: "tl-tour-count",
                  text: "Tour · step " + state.tour + " of " + tourSteps.length }),
        el("h2", { id: "tl-tour-title" }, [bdi(step.title)]),
        el("p", { className: "tour-caption", id: "tl-tour-caption" }, [bdi(step.caption)]),
        list.length ? el("ul", { className: "tour-facts", "aria-label": "Facts of this step: open a fact's card" }, list) : null,
        el("div", { className: "tour-nav" }, [
          el("button", { type: "button", className: "tool", id: "tl-tour-prev", text: "← Previous",
                         onclick: function () { goTour(state.tour - 1); } }),
          el("button", { type: "button", className: "tool", id: "tl-tour-next", text: "Next →",
                         onclick: function () { goTour(state.tour + 1); } }),
          el("button", { type: "button", className: "tool tour-close", id: "tl-tour-close", text: "Close the tour",
                         onclick: function () { select({}); highlight(null); showHome(); update(); fitTo(null); commit(); } })
        ])
      ].filter(Boolean);
    }
    var keep = tourBox.getAttribute("data-step") === String(state.tour) ? tourBox.scrollTop : 0;
    tourBox.replaceChildren.apply(tourBox, children);
    tourBox.setAttribute("data-step", String(state.tour || ""));
    tourBox.scrollTop = keep;  // a new step is read from its title
    var prev = document.getElementById("tl-tour-prev"), next = document.getElementById("tl-tour-next");
    if (prev) { prev.disabled = state.tour <= 1; }
    if (next) { next.disabled = state.tour >= tourSteps.length; }
    if (data.tour.left_out && state.tour) {
      tourBox.appendChild(el("p", { className: "hint", text: data.tour.left_out +
        (data.tour.left_out === 1 ? " step is" : " steps are") + " left out: not in this view." }));
    }
  }

  /* Go to step n of the tour (1-based), keeping the filters. */
  function goTour(n) {
    if (!tourSteps.length || n < 1 || n > tourSteps.length) { return; }
    select({ tour: n });
    showHome();
    closeSheet("tl-panel");
    update();
    showTour(true);
    commit();
  }

  var swipeFrom = null;
  tourBox.addEventListener("touchstart", function (event) {
    swipeFrom = event.touches.length === 1 ? [event.touches[0].clientX, event.touches[0].clientY] : null;
  }, { passive: true });
  tourBox.addEventListener("touchend", function (event) {
    if (!swipeFrom || !state.tour || !event.changedTouches.length) { return; }
    var dx = event.changedTouches[0].clientX - swipeFrom[0], dy = event.changedTouches[0].clientY - swipeFrom[1];
    swipeFrom = null;
    if (Math.abs(dx) > 50 && Math.abs(dx) > 1.5 * Math.abs(dy)) { goTour(state.tour + (dx < 0 ? 1 : -1)); }
  });

  // ------------------------------------------------------------------ views in the URL

  /* The hash is untrusted input: values are decoded, checked against the data and only ever shown as text. */
  function decode(text) { return decodeURIComponent(text.replace(/\+/g, " ")); }
  function shortText(text) { return text.length > 80 ? text.slice(0, 79) + "…" : text; }

  var dateBounds = R.dateBounds, isoDay = R.isoDay;

  function idList(raw) { return raw === "" ? [] : raw.split(",").map(decode); }

  function readChoices(map, known, what) {
    return function (raw) {
      var ids = idList(raw);
      var unknown = ids.filter(function (id) { return !known.has(id); });
      map.forEach(function (_, id) { map.set(id, ids.indexOf(id) >= 0); });
      return unknown.length ? "unknown " + what + " “" + shortText(unknown.join(", ")) + "”" : null;
    };
  }

  var merged = new Map(Object.entries(data.merged || {}));
  /* An entity id as a link may give it: an id merged by a `same` resolution is read as the id it was merged under. */
  function canonical(id) { return merged.has(id) ? merged.get(id) : id; }

  var READERS = new Map([
    ["focus", function (raw) {
      var id = canonical(decode(raw));
      if (!entities.has(id)) { return "no entity “" + shortText(decode(raw)) + "” in this graph"; }
      state.focus = id;
      return null;
    }],
    ["fact", function (raw) {
      var id = decode(raw);
      if (!facts.has(id)) { return "no fact “" + shortText(id) + "” in this graph"; }
      state.fact = id;
      return null;
    }],
    ["tour", function (raw) {
      var n = /^[0-9]{1,4}$/.test(raw) ? Number(raw) : 0;
      if (!tourSteps.length) { return "this graph has no tour"; }
      if (n < 1 || n > tourSteps.length) { return "tour step “" + shortText(decode(raw)) + "” (1 to " + tourSteps.length + ")"; }
      state.tour = n;
      return null;
    }],
    ["path", function (raw) {
      var ids = idList(raw).map(canonical);
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
    else if (state.fact) { parts.push("fact=" + encodeURIComponent(state.fact)); }
    else if (state.tour) { parts.push("tour=" + state.tour); }
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
    Object.assign(state, { from: null, to: null, undated: true, focus: null, path: null, fact: null, tour: null,
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
    var selected = [state.path, state.focus, state.fact, state.tour].filter(Boolean).length;
    if (selected > 1) {  // one selection at a time: the first of path, focus, fact, tour
      select(state.path ? { path: state.path } : state.focus ? { focus: state.focus } : { fact: state.fact });
    }
    if (!state.path && !state.focus && !state.fact) { network.unselectAll(); }
    update();
    if (!state.path && !state.focus && !state.fact) {
      if (!state.tour) { highlight(null); }
      showHome();
      closeSheet("tl-panel");
    }
    if (state.tour) { showTour(true); }
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

  /* The sliders step through the days the facts begin or end on (data.dates.ticks), evenly: a scale
   * by rank, so the dated facts get room where they are dense (a story of one spring after a fact
   * of 2012 gets most of the track). The date fields beside them take any day, typed or picked. */
  var firstDay = data.dates.first, lastDay = data.dates.last;
  var ticks = data.dates.ticks || [];
  var fromSlider = document.getElementById("tl-time-from");
  var toSlider = document.getElementById("tl-time-to");
  var fromDate = document.getElementById("tl-date-from");
  var toDate = document.getElementById("tl-date-to");
  var playButton = document.getElementById("tl-play");
  var playing = null;
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"];

  /* "2 April 2025" */
  function dayWords(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? Number(m[3]) + " " + MONTHS[Number(m[2]) - 1] + " " + Number(m[1]) : String(iso || "");
  }

  /* The range shown, in words. */
  function rangeWords() {
    if (!firstDay) { return "No fact is dated."; }
    if (state.from && state.to) { return "Facts from " + dayWords(state.from) + " to " + dayWords(state.to) + "."; }
    if (state.from) { return "Facts from " + dayWords(state.from) + " on (the last dated: " + dayWords(lastDay) + ")."; }
    if (state.to) { return "Facts as of " + dayWords(state.to) + " (the first dated: " + dayWords(firstDay) + ")."; }
    return "All dates: " + dayWords(firstDay) + " to " + dayWords(lastDay) + ".";
  }

  /* The slider position of a day: the first tick on or after it (from), the last on or before it (to). */
  function tickOf(iso, upper) {
    if (!iso) { return upper ? ticks.length - 1 : 0; }
    var i = 0;
    while (i < ticks.length && ticks[i] < iso) { i += 1; }
    if (upper && (i >= ticks.length || ticks[i] > iso)) { i -= 1; }
    return Math.max(0, Math.min(ticks.length - 1, i));
  }

  function drawTime() {
    fromSlider.value = String(tickOf(state.from, false));
    toSlider.value = String(tickOf(state.to, true));
    fromDate.value = state.from || "";
    toDate.value = state.to || "";
    fromDate.placeholder = firstDay || "";
    toDate.placeholder = lastDay || "";
    document.getElementById("tl-time-words").textContent = rangeWords();
    document.getElementById("tl-undated-count").textContent = String(data.dates.undated);
    playButton.textContent = playing ? "Pause" : "Play";
    playButton.setAttribute("aria-pressed", playing ? "true" : "false");
  }

  [fromSlider, toSlider].forEach(function (slider) {
    slider.max = String(Math.max(ticks.length - 1, 0));
    slider.disabled = ticks.length < 2;
    slider.addEventListener("input", function () {
      var from = Number(fromSlider.value), to = Number(toSlider.value);
      if (from > to) { if (slider === fromSlider) { to = from; } else { from = to; } }
      state.from = from > 0 ? ticks[from] : null;
      state.to = to < ticks.length - 1 ? ticks[to] : null;
      update();
    });
    slider.addEventListener("change", commit);
  });
  [[fromDate, "from"], [toDate, "to"]].forEach(function (pair) {
    pair[0].min = firstDay || "";
    pair[0].max = lastDay || "";
    pair[0].disabled = !firstDay;
    pair[0].addEventListener("change", function () {
      var bounds = pair[0].value ? dateBounds(pair[0].value) : [null, null];
      if (!bounds) { return; }
      state[pair[1]] = pair[1] === "from" ? bounds[0] : bounds[1];
      if (state.from && state.to && state.from > state.to) {
        if (pair[1] === "from") { state.to = state.from; } else { state.from = state.to; }
      }
      update();
      commit();
    });
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
    listToggle.replaceChildren(list.hidden ? el("span", { className: "phone-hide", text: "List of facts" }) : "Graph",
      list.hidden ? el("span", { className: "phone-text", "aria-hidden": "true", text: "Facts" }) : "");
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
    if (state.from || state.to) { return rangeWords().replace(/\.$/, ""); }
    return data.dataset && data.dataset.date ? "As of " + dayWords(data.dataset.date) : "";
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

  /* `text` broken into lines no wider than `width` (a word longer than a line is cut). */
  function wrapText(ctx, text, width) {
    var lines = [], line = "";
    String(text).split(/\s+/).filter(Boolean).forEach(function (word) {
      var tried = line ? line + " " + word : word;
      if (ctx.measureText(tried).width <= width || !line) { line = tried; } else { lines.push(line); line = word; }
      while (ctx.measureText(line).width > width && line.length > 1) {
        var cut = line.length - 1;
        while (cut > 1 && ctx.measureText(line.slice(0, cut)).width > width) { cut -= 1; }
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    });
    if (line) { lines.push(line); }
    return lines;
  }

  /* The legend of the picture: each type shown (or cluster) with its colour. */
  function legendItems() {
    var present = new Set();
    shown.nodes.forEach(function (i) { present.add(entities.get(entityAt[i]).type); });
    if (state.colourBy === "cluster") {
      return (data.clusters || []).filter(function (c) { return c.id <= PALETTE.length; }).map(function (c) {
        return { colour: clusterColour(c.id), text: entityName(c.label) + "’s cluster" };
      });
    }
    return data.types.filter(function (t) { return present.has(t.id); }).map(function (t) {
      return { colour: t.color, text: t.label };
    });
  }

  /* Forget the node or line under the pointer, so that the picture shows no hover. */
  function clearHover() {
    hovered = null;
    var handler = network.selectionHandler;
    if (handler && handler.hoverObj) {
      ["nodes", "edges"].forEach(function (kind) {
        Object.keys(handler.hoverObj[kind]).forEach(function (key) { handler.hoverObj[kind][key].hover = false; });
      });
      handler.hoverObj = { nodes: {}, edges: {} };
    }
  }

  /* The current view as a PNG at twice the screen's resolution: the title in full, the dates, the
   * graph with its names, the legend and the sources' credit. On a narrow screen the text is laid
   * out for it (lines wrapped to the phone's width, the legend in rows under the graph). */
  function pictureCanvas() {
    var scale = 2;
    var face = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif";
    clearHover();
    var drawing = network.canvas;
    drawing._determinePixelRatio = function () { return scale; };
    drawing.setSize();
    network.redraw();
    var graph = drawing.frame.canvas;
    var width = graph.width, graphHeight = graph.height, margin = 16 * scale, inner = width - 2 * margin;
    var narrow = graph.width / scale < 600;
    var measure = document.createElement("canvas").getContext("2d");
    var titleFont = "600 " + (narrow ? 17 : 19) * scale + "px " + face;
    var smallFont = (narrow ? 12 : 13) * scale + "px " + face;
    measure.font = titleFont;
    var titleLines = wrapText(measure, String((data.dataset || {}).name || "tieline graph"), inner);
    var step = state.tour && tourSteps[state.tour - 1];  // a tour step's picture carries its words
    var stepFont = "600 " + (narrow ? 14 : 15) * scale + "px " + face;
    measure.font = stepFont;
    var stepLines = step ? wrapText(measure, "Step " + state.tour + ": " + step.title, inner) : [];
    measure.font = smallFont;
    var captionLines = step ? wrapText(measure, step.caption, inner) : [];
    var caption = timeCaption();
    var creditLines = wrapText(measure, creditLine(), inner);
    var legend = legendItems();
    var rows = [], row = [], rowWidth = 0;
    legend.forEach(function (item) {
      var w = 14 * scale + measure.measureText(item.text).width + 14 * scale;
      if (row.length && rowWidth + w > inner) { rows.push(row); row = []; rowWidth = 0; }
      row.push({ item: item, x: rowWidth });
      rowWidth += w;
    });
    if (row.length) { rows.push(row); }
    var lineH = (narrow ? 17 : 18) * scale, titleH = (narrow ? 23 : 25) * scale;
    var head = 12 * scale + titleLines.length * titleH + (caption ? lineH : 0) +
      (stepLines.length + captionLines.length) * lineH + 8 * scale;
    var foot = 10 * scale + rows.length * lineH + 4 * scale + creditLines.length * lineH + 8 * scale;
    var out = document.createElement("canvas");
    out.width = width;
    out.height = graphHeight + head + foot;
    out.setAttribute("data-graph", [head, graphHeight].join(" "));  // where the graph lies in the picture
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(graph, 0, head);
    delete drawing._determinePixelRatio;
    drawing.setSize();
    network.redraw();
    ctx.textBaseline = "alphabetic";
    ctx.fillStyle = "#1f2328";
    ctx.font = titleFont;
    titleLines.forEach(function (line, i) { ctx.fillText(line, margin, 12 * scale + (i + 1) * titleH - 6 * scale); });
    ctx.font = smallFont;
    ctx.fillStyle = "#57606a";
    var at = 12 * scale + titleLines.length * titleH;
    if (caption) { ctx.fillText(caption, margin, at + lineH - 4 * scale); at += lineH; }
    ctx.fillStyle = "#1f2328";
    ctx.font = stepFont;
    stepLines.forEach(function (line) { ctx.fillText(line, margin, at + lineH - 4 * scale); at += lineH; });
    ctx.font = smallFont;
    ctx.fillStyle = "#3d444d";
    captionLines.forEach(function (line) { ctx.fillText(line, margin, at + lineH - 4 * scale); at += lineH; });
    var y = graphHeight + head + 10 * scale;
    rows.forEach(function (r) {
      r.forEach(function (cell) {
        ctx.fillStyle = cell.item.colour;
        ctx.beginPath();
        ctx.arc(margin + cell.x + 6 * scale, y + lineH / 2 - 2 * scale, 5 * scale, 0, 2 * Math.PI);
        ctx.fill();
        ctx.fillStyle = "#1f2328";
        ctx.fillText(cell.item.text, margin + cell.x + 14 * scale, y + lineH - 6 * scale);
      });
      y += lineH;
    });
    y += 4 * scale;
    ctx.fillStyle = "#57606a";
    creditLines.forEach(function (line) { ctx.fillText(line, margin, y + lineH - 6 * scale); y += lineH; });
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
    },
    // The read-only testing hook documented in explorer.html:
    visibleLabels: function () { return drawnLabels.slice(); },
    labelBoxes: function () { return drawnBoxes.map(function (b) { return Object.assign({}, b); }); },
    factLabels: function () { return drawnFacts.slice(); },
    shownCount: function () { return { entities: shown.nodes.size, facts: shown.facts.size }; },
    tourStep: function () { return state.tour; },
    tourLength: function () { return tourSteps.length; } });
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
  } else if (tourSteps.length) {
    select({ tour: 1 });  // the page opens on the tour's first step
    history.replaceState(null, "", "#" + hashOf());
    lastHash = location.hash;
    update();
    showHome();
    showTour(false);
  } else {
    showHome();
  }
  drawTour();
}());
