/* Veille search: every Pagefind shard loaded in parallel, results merged here.
 *
 * The build writes one Pagefind bundle per shard (pagefind/shard-<i>/) and lists
 * them in pagefind/shards.json; Pagefind's JavaScript and WebAssembly are
 * published once, in pagefind/. Each shard is a Pagefind instance (main thread,
 * so the one WebAssembly file is fetched once and shared). A search asks every
 * shard at once, then: drops prefix-fallback junk (a shard lacking the word
 * answers with near-zero scores), de-duplicates by URL, sums filter counts and,
 * for "newest", merges the shards' date-sorted lists by date.
 * Plain JavaScript, no build step. window.veilleSearch exposes the merge for
 * tests and the quality bench.
 */
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root) return;
  var JUNK = 1 / 20; // results scoring under this share of the best are prefix fallbacks
  var PAGE = 10;
  var base = root.getAttribute("data-bundle") || "/pagefind/";
  var labels = JSON.parse(root.getAttribute("data-labels") || "{}");
  var form = root.querySelector(".search-form");
  var input = root.querySelector("input[name=q]");
  var sortBox = root.querySelector("select[name=sort]");
  var facets = root.querySelector(".search-facets");
  var status = root.querySelector(".search-status");
  var list = root.querySelector(".search-results");
  var more = root.querySelector(".search-more");

  // One copy of the WebAssembly: every shard asks for <shard>/wasm.<lang>.pagefind.
  var realFetch = window.fetch.bind(window);
  var wasm = {};
  var WASM = /\/shard-\d+\/(wasm\.[^/?]+\.pagefind)(\?.*)?$/;
  window.fetch = function (resource, init) {
    var url = typeof resource === "string" ? resource : (resource && resource.url) || "";
    var match = WASM.exec(url);
    if (!match) return realFetch(resource, init);
    var shared = base + match[1];
    if (!wasm[shared]) {
      wasm[shared] = realFetch(shared).then(function (r) {
        if (!r.ok) throw new Error("Pagefind WebAssembly: HTTP " + r.status);
        return r.arrayBuffer();
      });
    }
    return wasm[shared].then(function (bytes) { return new Response(bytes.slice(0)); });
  };

  function text(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }

  var ready = realFetch(base + "shards.json")
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (manifest) {
      // One module per shard: pagefind.js keeps its WebAssembly state in module
      // globals, so instances sharing one module corrupt each other's memory.
      return Promise.all(manifest.shards.map(function (entry) {
        var path = entry.path;
        return import(base + "pagefind.js?" + encodeURIComponent(path)).then(function (pagefind) {
          var shard = pagefind.createInstance({ basePath: base + path, noWorker: true });
          shard.pages = entry.pages;
          // filters() loads the filter chunks: searches then count results per value
          return shard.init().then(function () { return shard.filters(); })
            .then(function () { return shard; });
        });
      }));
    });

  function sumFilters(responses) {
    var total = {};
    responses.forEach(function (response) {
      Object.keys(response.filters || {}).forEach(function (name) {
        var values = response.filters[name];
        total[name] = total[name] || {};
        Object.keys(values).forEach(function (value) {
          total[name][value] = (total[name][value] || 0) + values[value];
        });
      });
    });
    return total;
  }

  /* Pagefind's BM25 inverse document frequency. */
  function idf(pages, matching) {
    return Math.log(1 + (pages - matching + 0.5) / (matching + 0.5));
  }

  /* Each shard's results, without a shard's prefix fall-back: when a shard lacks
   * the word, Pagefind answers with words that start with it, many pages at
   * scores far below the other shards' (under JUNK of the best). A shard whose
   * word is merely common has tiny scores too, but no more pages than the others. */
  function withoutFallbacks(responses) {
    var tops = responses.map(function (r) {
      return r.results.reduce(function (m, hit) { return Math.max(m, hit.score); }, 0);
    });
    var best = Math.max.apply(null, tops.concat([0]));
    var sizes = responses.map(function (r) { return r.results.length; }).sort(function (a, b) {
      return a - b;
    });
    var median = sizes.length ? sizes[Math.floor(sizes.length / 2)] : 0;
    return responses.map(function (r, i) {
      var fallback = tops[i] < best * JUNK && r.results.length > 2 * median;
      return fallback ? [] : r.results;
    });
  }

  /* Per shard, the factor that turns its scores into scores over the whole site.
   * A shard ranks with its own IDF; for a word in most pages, IDF is tiny and
   * differs by a factor of two between shards, which would decide the merged
   * order. Each word's IDF is recomputed from the pages matching it in all
   * shards (fall-backs left out); a shard's factor is the sum of site-wide IDFs
   * over the sum of its own. */
  function idfScales(shards, term, lanes) {
    var words = term.split(/\s+/).filter(Boolean);
    var counts = words.length === 1
      ? Promise.resolve([lanes.map(function (lane) { return lane.length; })])
      : Promise.all(words.map(function (word) {
          return Promise.all(shards.map(function (s) { return s.search(word, {}); }))
            .then(function (answers) {
              return withoutFallbacks(answers).map(function (lane) { return lane.length; });
            });
        }));
    return counts.then(function (perWord) {
      var pages = shards.reduce(function (n, s) { return n + (s.pages || 0); }, 0);
      return shards.map(function (shard, i) {
        var site = 0, own = 0;
        perWord.forEach(function (matching) {
          var all = matching.reduce(function (n, m) { return n + m; }, 0);
          site += idf(pages, all);
          own += idf(shard.pages || 0, Math.min(matching[i], shard.pages || 0));
        });
        return own > 0 && shard.pages ? site / own : 1;
      });
    });
  }

  /* One search over every shard: {total, filters, next(n) -> Promise<[data]>} */
  function query(term, options) {
    options = options || {};
    var newest = options.sort === "newest";
    var request = { filters: options.filters || {} };
    if (newest) request.sort = { date: "desc" };
    var shards;
    var responses;
    var lanes;
    return ready.then(function (loaded) {
      shards = loaded;
      return Promise.all(shards.map(function (s) { return s.search(term, request); }));
    }).then(function (answers) {
      responses = answers;
      lanes = withoutFallbacks(responses);
      return shards.length > 1 ? idfScales(shards, term, lanes) : [1];
    }).then(function (scales) {
      var best = 0;
      lanes.forEach(function (lane, i) {
        lane.forEach(function (hit) {
          hit.siteScore = hit.score * scales[i];
          best = Math.max(best, hit.siteScore);
        });
      });
      lanes = lanes.map(function (lane) { // what is left of prefix matches, site-wide
        return lane.filter(function (hit) { return hit.siteScore >= best * JUNK; });
      });
      var total = lanes.reduce(function (n, lane) { return n + lane.length; }, 0);
      var seen = {};
      var byScore = [].concat.apply([], lanes).sort(function (a, b) {
        return b.siteScore - a.siteScore;
      });
      var heads = lanes.map(function () { return null; });

      function head(i) {
        if (!heads[i] && lanes[i].length) heads[i] = lanes[i].shift().data();
        return heads[i];
      }
      function nextNewest() {
        var pending = lanes.map(function (_, i) { return head(i); });
        return Promise.all(pending).then(function (datas) {
          var pick = -1;
          datas.forEach(function (d, i) {
            if (!d) return;
            var date = (d.meta && d.meta.sortdate) || "";
            var other = pick < 0 ? null : ((datas[pick].meta && datas[pick].meta.sortdate) || "");
            if (pick < 0 || date > other) pick = i;
          });
          if (pick < 0) return null;
          heads[pick] = null;
          return datas[pick];
        });
      }
      function nextByScore() {
        var hit = byScore.shift();
        return hit ? hit.data() : Promise.resolve(null);
      }
      function next(count) {
        var found = [];
        function step() {
          if (found.length >= count) return Promise.resolve(found);
          return (newest ? nextNewest() : nextByScore()).then(function (data) {
            if (!data) return found;
            if (!seen[data.url]) { seen[data.url] = true; found.push(data); }
            return step();
          });
        }
        return step();
      }
      return { total: total, filters: sumFilters(responses), next: next };
    });
  }

  window.veilleSearch = { ready: ready, query: query };
  if (!form) return;

  // The page explains search needs JavaScript; with it, show the form instead.
  root.hidden = false;
  var fallback = document.querySelector(".search-nojs");
  if (fallback) fallback.hidden = true;

  var selected = {}; // filter name -> {value: true}
  var current = null;
  var serial = 0;

  function chosenFilters() {
    var filters = {};
    Object.keys(selected).forEach(function (name) {
      var values = Object.keys(selected[name]).filter(function (v) { return selected[name][v]; });
      if (values.length) filters[name] = { any: values };
    });
    return filters;
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  /* Facets are <details>: a short row of names, each opening to its values as
   * chips. Open by default on wide screens when short; closed on phones, where
   * a long list would push the results below the fold. Open state survives a
   * new query. */
  var opened = {}; // filter name -> open (as the reader left it)
  var wide = window.matchMedia ? window.matchMedia("(min-width: 50rem)") : { matches: true };
  var SHORT = 8;

  function renderFacets(filters, countsOnly) {
    if (countsOnly) { // a box was just ticked: keep the boxes (and the focus), update counts
      facets.querySelectorAll("input").forEach(function (box) {
        var count = (filters[box.name] || {})[box.value] || 0;
        box.parentNode.querySelector(".search-facet-count").textContent = String(count);
      });
      facets.querySelectorAll(".search-facet").forEach(function (facet) {
        var ticked = facet.querySelectorAll("input:checked").length;
        facet.querySelector(".search-facet-chosen").textContent = ticked ? String(ticked) : "";
      });
      return;
    }
    facets.textContent = "";
    Object.keys(filters).sort().forEach(function (name) {
      var values = Object.keys(filters[name]).filter(function (v) {
        return filters[name][v] > 0 || (selected[name] && selected[name][v]);
      }).sort();
      if (!values.length) return;
      var facet = el("details", "search-facet");
      var ticked = values.filter(function (v) { return selected[name] && selected[name][v]; });
      facet.open = name in opened ? opened[name] : (wide.matches && values.length <= SHORT);
      facet.addEventListener("toggle", function () { opened[name] = facet.open; });
      var summary = el("summary", "search-facet-name", (labels.filters || {})[name] || name);
      summary.appendChild(document.createTextNode(" "));
      summary.appendChild(el("span", "search-facet-chosen", ticked.length ? String(ticked.length) : ""));
      facet.appendChild(summary);
      var set = el("fieldset", "search-facet-values");
      set.appendChild(el("legend", "visually-hidden", (labels.filters || {})[name] || name));
      values.forEach(function (value) {
        var label = el("label", "search-facet-value");
        var box = el("input");
        box.type = "checkbox";
        box.name = name;
        box.value = value;
        box.checked = !!(selected[name] && selected[name][value]);
        box.addEventListener("change", function () {
          selected[name] = selected[name] || {};
          selected[name][value] = box.checked;
          run(true);
        });
        label.appendChild(box);
        label.appendChild(el("span", "search-facet-label", value));
        label.appendChild(el("span", "search-facet-count", String(filters[name][value])));
        set.appendChild(label);
      });
      facet.appendChild(set);
      facets.appendChild(facet);
    });
  }

  /* "a · b · c" from the fields that have a value, each in its own span. */
  function fields(className, parts) {
    var line = el("p", className);
    parts.filter(function (p) { return p[1]; }).forEach(function (p, i) {
      if (i) line.appendChild(el("span", "search-result-sep", " · "));
      line.appendChild(el("span", "search-result-" + p[0], p[1]));
    });
    return line;
  }

  /* A person: name, then title · site, the bio, and expertise as separate
   * chips (the searched words marked); no excerpt, which would run the
   * profile's fields together. */
  function renderPerson(item, meta, term) {
    item.classList.add("search-result-person");
    item.appendChild(fields("search-result-meta", [["kind", meta.kind], ["role", meta.role], ["site", meta.site]]));
    if (meta.bio) item.appendChild(el("p", "search-result-bio", meta.bio));
    var skills = String(meta.expertise || "").split(",").map(function (s) { return s.trim(); })
      .filter(Boolean);
    if (!skills.length) return;
    var words = term.toLowerCase().split(/\s+/).filter(Boolean);
    var line = el("div", "search-result-expertise");
    line.appendChild(el("span", "search-result-label", labels.expertise || "Expertise"));
    var chips = el("ul", "search-result-chips");
    skills.forEach(function (skill) {
      var hit = words.some(function (w) { return skill.toLowerCase().indexOf(w) >= 0; });
      var chip = el("li", "chip" + (hit ? " is-match" : ""));
      chip.appendChild(el(hit ? "mark" : "span", "", skill));
      chips.appendChild(chip);
    });
    line.appendChild(chips);
    item.appendChild(line);
  }

  function renderResult(data, term) {
    var meta = data.meta || {};
    var item = el("li", "search-result");
    var title = el("a", "search-result-title", meta.title || data.url);
    title.href = data.url;
    var heading = el("h2", "search-result-heading");
    heading.appendChild(title);
    item.appendChild(heading);
    if (meta.role !== undefined || meta.expertise !== undefined) {
      renderPerson(item, meta, term);
      return item;
    }
    item.appendChild(fields("search-result-meta", [["kind", meta.kind], ["date", meta.date], ["author", meta.author]]));
    var excerpt = el("p", "search-result-excerpt");
    excerpt.innerHTML = data.excerpt || ""; // Pagefind escapes the text; only <mark> is markup
    item.appendChild(excerpt);
    return item;
  }

  function show(batch, mine) {
    if (mine !== serial) return;
    batch.forEach(function (data) { list.appendChild(renderResult(data, current.term)); });
    more.hidden = list.children.length >= current.total || batch.length < PAGE;
  }

  function syncUrl(term) {
    var url = new URL(window.location.href);
    if (term) url.searchParams.set("q", term); else url.searchParams.delete("q");
    window.history.replaceState(null, "", url.toString());
    var header = document.getElementById("site-search");
    if (header && header !== input) header.value = term;
  }

  function run(keepFacets) {
    var term = input.value.trim();
    var mine = ++serial;
    syncUrl(term);
    list.textContent = "";
    more.hidden = true;
    if (!term) {
      status.textContent = "";
      facets.textContent = "";
      selected = {};
      return;
    }
    status.textContent = labels.loading || "…";
    query(term, { filters: chosenFilters(), sort: sortBox ? sortBox.value : "" }).then(function (found) {
      if (mine !== serial) return;
      current = found;
      current.term = term;
      renderFacets(found.filters, keepFacets === true);
      status.textContent = found.total
        ? text(found.total === 1 ? labels.one : labels.many, { count: found.total, query: term })
        : text(labels.none, { query: term });
      return found.next(PAGE).then(function (batch) { show(batch, mine); });
    }).catch(function (error) {
      if (mine !== serial) return;
      status.textContent = labels.failed || String(error);
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
  if (sortBox) sortBox.addEventListener("change", function () { run(true); });
  more.addEventListener("click", function () {
    var mine = serial;
    current.next(PAGE).then(function (batch) { show(batch, mine); });
  });

  // On this page the header box searches here too, so the two boxes never disagree.
  var headerBox = document.getElementById("site-search");
  if (headerBox && headerBox.form && headerBox !== input) {
    headerBox.form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      input.value = headerBox.value;
      run();
    });
  }

  var term = (new URLSearchParams(window.location.search).get("q") || "").trim();
  if (term) {
    input.value = term;
    run();
  }
})();
