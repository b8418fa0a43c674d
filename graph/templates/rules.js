/* tieline rules, the JavaScript twins of Python rules, inlined into the page before explorer.js.
 * Each function here gives what its Python twin gives, and the browser tests compare them:
 *   nameKey       graph.names.name_key        (the text a reader types, folded as names are)
 *   latinKey      graph.names.latin_key       (anyascii, from the table the page carries)
 *   wordSetKey    graph.names.word_set_key
 *   soundKey      graph.names.sound_key
 *   dateBounds    graph.dates.date_bounds     (YYYY, YYYY-MM, YYYY-MM-DD -> first and last day)
 *   shortestPaths graph.query.find_paths      (every shortest path, undirected, in id order)
 *   sentenceParts graph.wording               (a fact read from its subject or from its object)
 * Pure functions: no DOM, no page state. */
var tielineRules = (function () {
  "use strict";

  /* name_key: NFKD; drop marks of non-zero canonical combining class; casefold; every character
   * that is not a letter or digit becomes a space; words joined by one space. A name of symbols
   * only (★) keeps its symbols, case-folded, with whitespace collapsed. */
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

  /* nameKey(s) === graph.names.name_key(s). */
  function nameKey(text) {
    text = String(text);
    var stripped = text.normalize("NFKD").replace(/\p{M}/gu, function (mark) {
      return isCombining(mark) ? "" : mark;
    });
    return words(caseFold(stripped).replace(/[^\p{L}\p{N}]/gu, " ")) || words(caseFold(text));
  }

  /* The transliteration table the page carries ([[first code point, "latin|latin|…"], …], from
   * anyascii in Python: graph.names.latin_table) as a Map from character to its Latin letters. */
  function latinTable(runs) {
    var table = new Map();
    (runs || []).forEach(function (run) {
      run[1].split("|").forEach(function (latin, i) {
        if (latin) { table.set(String.fromCodePoint(run[0] + i), latin); }
      });
    });
    return table;
  }

  /* latinKey(s, table) === graph.names.latin_key(s) for every character the table holds. */
  function latinKey(text, table) {
    var key = nameKey(text);
    if (/^[\x00-\x7f]*$/.test(key)) { return key; }
    var latin = Array.from(key).map(function (c) {
      return c.charCodeAt(0) < 128 ? c : (table.has(c) ? table.get(c) : "");
    }).join("");
    latin = words(latin.replace(/['’ʼ`´]/g, "").toLowerCase().replace(/[^0-9a-z]+/g, " "));
    return latin || key;
  }

  function wordSetKey(key) { return key.split(" ").filter(Boolean).sort().join(" "); }

  function skeleton(word) {
    return word.replace(/v/g, "f").replace(/[aeiouyw]+/g, "").replace(/(.)\1+/g, "$1") || word;
  }

  /* soundKey(latin) === graph.names.sound_key(latin). */
  function soundKey(latin) {
    var parts = latin.split(" ").filter(Boolean).map(skeleton);
    var shortest = parts.reduce(function (least, w) { return Math.min(least, w.length); }, parts.length ? Infinity : 0);
    if (shortest < 4) { return wordSetKey(latin); }
    return parts.sort().join(" ");
  }

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

  function compareLists(a, b) {
    for (var i = 0; i < Math.min(a.length, b.length); i += 1) {
      if (a[i] !== b[i]) { return a[i] < b[i] ? -1 : 1; }
    }
    return a.length - b.length;
  }

  /* Every shortest path from a to b over `adjacency` (Map id -> Set of ids, both ways), found
   * breadth-first, as id lists sorted in id order; at most `limit`, enumerating at most `cap`. */
  function shortestPaths(adjacency, a, b, limit, cap) {
    if (a === b) { return [[a]]; }
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
    while (stack.length && paths.length < cap) {
      var chain = stack.pop();
      var ups = parents.get(chain[chain.length - 1]);
      if (!ups.length) { paths.push(chain.slice().reverse()); continue; }
      ups.forEach(function (up) { stack.push(chain.concat([up])); });
    }
    return paths.sort(compareLists).slice(0, limit);
  }

  /* A fact read from `current`: {first, verb, second}. "Kirill Dmitriev heads RDIF" from the
   * subject, "RDIF is headed by Kirill Dmitriev" from the object (a symmetric fact reads the same). */
  function sentenceParts(fact, current) {
    var fromObject = current === fact.object && current !== fact.subject;
    return { first: fromObject ? fact.object : fact.subject,
             verb: fromObject && !fact.symmetric ? (fact.inverse || fact.label) : fact.label,
             second: fromObject ? fact.subject : fact.object };
  }

  return { nameKey: nameKey, latinTable: latinTable, latinKey: latinKey, wordSetKey: wordSetKey,
           soundKey: soundKey, dateBounds: dateBounds, isoDay: isoDay, shortestPaths: shortestPaths,
           sentenceParts: sentenceParts };
}());
