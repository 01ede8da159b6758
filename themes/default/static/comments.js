/* Veille comments widget: plain JavaScript, no framework, no build step.
 *
 * Item pages: loads the live thread from the comments API and shows it as a
 * tree; posts, replies, edits and deletes (the edit token stays in this
 * browser, in localStorage), toggles reactions, announces new comments in an
 * aria-live region. Every page: refreshes the comment counts of the wall with
 * one GET /api/counts call. Without JavaScript the page already works: the
 * build-time snapshot and plain forms (see comments.html).
 */
(function () {
  "use strict";

  var configNode = document.getElementById("veille-comments-config");
  if (!configNode || !window.fetch) return;
  var CONFIG = JSON.parse(configNode.textContent);
  var T = CONFIG.strings;
  var API = String(CONFIG.api || "/api").replace(/\/$/, "");
  var THREAD = document.querySelector("section.comments[data-thread]");
  var LANG =
    (THREAD && THREAD.getAttribute("data-lang")) ||
    CONFIG.lang ||
    document.documentElement.lang ||
    "en";
  var POLL_MS = 30000;
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(LANG) : null;
  /* The same words as the built page (Babel's short date and time, see themes.py),
   * in the site's language and time zone, never the reader's browser settings. */
  var dateFormat = makeDateFormat(THREAD && THREAD.getAttribute("data-timezone"));

  function makeDateFormat(zone) {
    if (!window.Intl) return null;
    var options = { dateStyle: "short", timeStyle: "short" };
    if (zone) options.timeZone = zone;
    try {
      return new Intl.DateTimeFormat(LANG, options);
    } catch (e) {
      return new Intl.DateTimeFormat(LANG, { dateStyle: "short", timeStyle: "short" });
    }
  }

  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  function count(prefix, n) {
    var form = plural && plural.select(n) === "one" ? "one" : "other";
    if (!plural) form = n === 1 ? "one" : "other";
    return fmt(T[prefix + "_" + form], { n: n });
  }

  function formatDate(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    /* Plain spaces, as the built page prints them (themes.py, _plain_spaces). */
    return dateFormat ? dateFormat.format(d).replace(/\u202f/g, " ") : d.toLocaleString();
  }

  /* ---- storage: edit tokens, my reactions, my name (this browser only) ---- */
  function load(key) {
    try {
      return JSON.parse(window.localStorage.getItem("veille:" + key) || "{}") || {};
    } catch (e) {
      return {};
    }
  }
  function save(key, value) {
    try {
      window.localStorage.setItem("veille:" + key, JSON.stringify(value));
    } catch (e) {
      /* private mode or full storage: the widget still works for this page */
    }
  }
  function tokens() {
    var all = load("tokens");
    var now = Date.now();
    var changed = false;
    Object.keys(all).forEach(function (id) {
      if (!all[id] || Date.parse(all[id].until) <= now) {
        delete all[id];
        changed = true;
      }
    });
    if (changed) save("tokens", all);
    return all;
  }
  function myName() {
    return load("me").name || "";
  }

  /* ---- HTTP ---- */
  function request(method, path, body, token) {
    var headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    return fetch(API + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    }).then(function (response) {
      if (response.status === 204) return null;
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (data) {
          if (!response.ok) {
            var message = data && data.error && data.error.message;
            var error = new Error(message || T.error);
            error.status = response.status;
            throw error;
          }
          return data;
        });
    });
  }

  /* ---- DOM helpers ---- */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  var uid = 0;
  function field(label, control) {
    uid += 1;
    control.id = "cw-" + uid;
    return el("p", { className: "field" }, [el("label", { for: control.id, text: label }), control]);
  }

  /* ---- the thread ---- */
  function Thread(section) {
    this.section = section;
    this.thread = section.getAttribute("data-thread");
    this.list = section.querySelector("[data-list]");
    this.live = section.querySelector("[data-live]");
    this.heading = section.querySelector("#comments-heading");
    this.comments = [];
    this.known = null;
    this.mine = load("reactions");
  }

  Thread.prototype.url = function () {
    return "/comments?thread=" + encodeURIComponent(this.thread);
  };

  Thread.prototype.announce = function (message) {
    var live = this.live;
    live.textContent = "";
    // A fresh text node after a tick makes screen readers repeat equal messages.
    window.setTimeout(function () {
      live.textContent = message;
    }, 50);
  };

  Thread.prototype.busy = function () {
    // Never redraw under a reader who is typing a reply or an edit.
    var active = document.activeElement;
    return !!(active && this.list.contains(active) && /^(TEXTAREA|INPUT)$/.test(active.tagName));
  };

  Thread.prototype.refresh = function (quiet) {
    var self = this;
    return request("GET", this.url()).then(
      function (comments) {
        var visible = comments.filter(function (c) {
          return c.status === "approved";
        });
        if (self.known !== null && quiet) {
          var fresh = visible.filter(function (c) {
            return !self.known[c.id];
          }).length;
          if (fresh === 0 && JSON.stringify(comments) === JSON.stringify(self.comments)) return;
          if (self.busy()) return;
          if (fresh > 0) self.announce(count("new", fresh));
        }
        self.known = {};
        visible.forEach(function (c) {
          self.known[c.id] = true;
        });
        self.comments = comments;
        self.render();
      },
      function (error) {
        if (!quiet) self.status(T.offline);
        throw error;
      }
    );
  };

  Thread.prototype.status = function (message) {
    this.announce(message);
  };

  Thread.prototype.render = function () {
    var self = this;
    var byParent = {};
    this.comments.forEach(function (c) {
      var key = c.parent === null || c.parent === undefined ? "root" : String(c.parent);
      (byParent[key] = byParent[key] || []).push(c);
    });
    var approved = this.comments.filter(function (c) {
      return c.status === "approved";
    }).length;
    this.heading.textContent = count("count", approved);
    var empty = this.section.querySelector("[data-empty]");
    if (empty) empty.hidden = approved > 0;
    var mine = tokens();
    function branch(key) {
      return (byParent[key] || []).map(function (c) {
        return self.renderComment(c, mine[c.id], branch(String(c.id)));
      });
    }
    var items = branch("root");
    this.list.textContent = "";
    items.forEach(function (item) {
      self.list.appendChild(item);
    });
    updateCounts([{ path: this.thread, n: approved }]);
  };

  Thread.prototype.renderComment = function (c, token, replies) {
    var self = this;
    var li = el("li", { id: "comment-" + c.id, className: "comment", "data-id": c.id });
    var article = el("article", { "aria-labelledby": "comment-" + c.id + "-meta", tabindex: "-1" });
    li.appendChild(article);
    if (c.status === "deleted") {
      li.className += " is-deleted";
      article.appendChild(
        el("p", { className: "comment-meta", id: "comment-" + c.id + "-meta" }, [
          el("em", { text: T.deleted }),
        ])
      );
    } else {
      var time = el("time", { datetime: c.created, text: formatDate(c.created) });
      var meta = el("p", { className: "comment-meta", id: "comment-" + c.id + "-meta" }, [
        el("strong", { className: "comment-author", text: c.author || "" }),
        " ",
        el("a", { className: "comment-time", href: "#comment-" + c.id }, [time]),
      ]);
      if (c.edited) meta.appendChild(el("span", { className: "comment-edited", text: " (" + T.edited + ")" }));
      article.appendChild(meta);
      if (c.status === "pending") article.appendChild(el("p", { className: "comment-pending", text: T.pending }));
      var body = el("div", { className: "comment-body" });
      // The API renders Markdown and sanitises it (nh3 allow-list) before storing.
      body.innerHTML = c.html;
      article.appendChild(body);
      article.appendChild(this.reactionBar(c));
      var actions = el("p", { className: "comment-actions" });
      if (c.status === "approved") {
        actions.appendChild(
          this.button(T.reply, "reply", function (button) {
            self.openForm(li, button, "reply", c);
          }, fmt(T.reply_to, { name: c.author || "" }))
        );
      }
      if (token) {
        actions.appendChild(
          this.button(T.edit, "edit", function (button) {
            self.openForm(li, button, "edit", c);
          })
        );
        actions.appendChild(
          this.button(T.delete, "delete", function () {
            self.remove(c, token);
          })
        );
        actions.appendChild(
          el("span", { className: "comment-window", text: fmt(T.edit_until, { time: formatDate(token.until) }) })
        );
      }
      article.appendChild(actions);
    }
    if (replies.length) {
      var ol = el("ol", { className: "comment-replies" });
      replies.forEach(function (r) {
        ol.appendChild(r);
      });
      li.appendChild(ol);
    }
    return li;
  };

  Thread.prototype.button = function (label, kind, onClick, ariaLabel) {
    var button = el("button", { type: "button", className: "link-button " + kind, text: label, "aria-label": ariaLabel });
    button.addEventListener("click", function () {
      onClick(button);
    });
    return button;
  };

  Thread.prototype.reactionBar = function (c) {
    var self = this;
    var bar = el("p", { className: "comment-reactions", role: "group", "aria-label": T.reactions });
    (CONFIG.reactions || []).forEach(function (kind) {
      var n = (c.reactions && c.reactions[kind]) || 0;
      var pressed = !!self.mine[c.id + ":" + kind];
      var label = T["react_" + kind] || kind;
      var button = el(
        "button",
        { type: "button", className: "reaction reaction-" + kind, "aria-pressed": pressed ? "true" : "false", "data-kind": kind },
        [label + " ", el("span", { className: "reaction-count", text: String(n) })]
      );
      button.addEventListener("click", function () {
        self.react(c, kind, button);
      });
      bar.appendChild(button);
    });
    return bar;
  };

  Thread.prototype.react = function (c, kind, button) {
    var self = this;
    button.disabled = true;
    request("POST", "/comments/" + c.id + "/reactions", { kind: kind, author_name: myName() || undefined })
      .then(function (result) {
        var key = c.id + ":" + kind;
        if (result.active) self.mine[key] = true;
        else delete self.mine[key];
        save("reactions", self.mine);
        c.reactions = result.reactions;
        button.setAttribute("aria-pressed", result.active ? "true" : "false");
        button.querySelector(".reaction-count").textContent = String(result.reactions[kind] || 0);
      })
      .catch(function (error) {
        self.status(error.message);
      })
      .then(function () {
        button.disabled = false;
        button.focus();
      });
  };

  /* ---- forms: the main one, replies, edits ---- */
  Thread.prototype.buildForm = function (mode, comment) {
    var form = el("form", { className: "comment-form comment-form-" + mode });
    var name = null;
    if (mode !== "edit" && CONFIG.identity === "open") {
      name = el("input", { name: "author_name", type: "text", required: true, maxlength: "100", autocomplete: "name" });
      name.value = myName();
      form.appendChild(field(T.name, name));
    }
    var label = mode === "edit" ? T.edit_body : mode === "reply" ? T.reply_body : T.body;
    var body = el("textarea", { name: "body", rows: "4", required: true, maxlength: String(CONFIG.maxLength) });
    if (mode === "edit") body.value = comment.body_source || textOf(comment.html);
    form.appendChild(field(label, body));
    var error = el("p", { className: "comment-error", role: "alert" });
    form.appendChild(error);
    var submit = el("button", { type: "submit", text: mode === "edit" ? T.save : mode === "reply" ? T.post_reply : T.post });
    var buttons = el("p", { className: "form-buttons" }, [submit]);
    form.appendChild(buttons);
    return { form: form, name: name, body: body, error: error, submit: submit, buttons: buttons };
  };

  Thread.prototype.openForm = function (li, opener, mode, comment) {
    var self = this;
    var existing = li.querySelector(":scope > article > .comment-form");
    if (existing) {
      existing.querySelector("textarea").focus();
      return;
    }
    if (mode === "edit") comment.body_source = load("sources")[comment.id];
    var parts = this.buildForm(mode, comment);
    var cancel = el("button", { type: "button", className: "link-button", text: T.cancel });
    parts.buttons.appendChild(cancel);
    function close() {
      parts.form.remove();
      opener.setAttribute("aria-expanded", "false");
      opener.focus();
    }
    cancel.addEventListener("click", close);
    parts.form.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close();
    });
    parts.form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (mode === "edit") self.edit(comment, parts);
      else self.post(parts, comment.id);
    });
    li.querySelector(":scope > article").appendChild(parts.form);
    opener.setAttribute("aria-expanded", "true");
    (parts.name && !parts.name.value ? parts.name : parts.body).focus();
  };

  Thread.prototype.sending = function (parts, on) {
    parts.submit.disabled = on;
    parts.form.setAttribute("aria-busy", on ? "true" : "false");
    if (on) parts.error.textContent = "";
  };

  Thread.prototype.post = function (parts, parent) {
    var self = this;
    var payload = { body: parts.body.value };
    if (parent) payload.parent = parent;
    if (parts.name) {
      payload.author_name = parts.name.value.trim();
      save("me", { name: payload.author_name });
    }
    this.sending(parts, true);
    request("POST", this.url(), payload)
      .then(function (created) {
        var all = tokens();
        all[created.id] = { token: created.edit_token, until: created.edit_until };
        save("tokens", all);
        // Keep the Markdown typed so that "Edit" starts from it, not from the HTML.
        var sources = load("sources");
        sources[created.id] = payload.body;
        save("sources", sources);
        parts.body.value = "";
        if (parent) parts.form.remove();
        return self.refresh(false).then(function () {
          var message = created.status === "pending" ? T.pending : parent ? T.replied : T.posted;
          self.announce(message);
          self.focusComment(created.id);
        });
      })
      .catch(function (error) {
        parts.error.textContent = error.message;
        parts.body.focus();
      })
      .then(function () {
        self.sending(parts, false);
      });
  };

  Thread.prototype.edit = function (comment, parts) {
    var self = this;
    var token = tokens()[comment.id];
    if (!token) return;
    this.sending(parts, true);
    request("PATCH", "/comments/" + comment.id, { body: parts.body.value }, token.token)
      .then(function () {
        var sources = load("sources");
        sources[comment.id] = parts.body.value;
        save("sources", sources);
        return self.refresh(false).then(function () {
          self.announce(T.saved);
          self.focusComment(comment.id);
        });
      })
      .catch(function (error) {
        parts.error.textContent = error.message;
        parts.body.focus();
      })
      .then(function () {
        self.sending(parts, false);
      });
  };

  Thread.prototype.remove = function (comment, token) {
    var self = this;
    if (!window.confirm(T.confirm_delete)) return;
    request("DELETE", "/comments/" + comment.id, undefined, token.token)
      .then(function () {
        var all = tokens();
        delete all[comment.id];
        save("tokens", all);
        return self.refresh(false).then(function () {
          self.announce(T.removed);
          self.heading.focus();
        });
      })
      .catch(function (error) {
        self.status(error.message);
      });
  };

  Thread.prototype.focusComment = function (id) {
    var node = document.querySelector("#comment-" + id + " > article");
    if (node) {
      node.focus();
      if (node.scrollIntoView) node.scrollIntoView({ block: "nearest" });
    }
  };

  Thread.prototype.enhance = function () {
    var self = this;
    // The page's own forms become the widget's: same fields, posted as JSON.
    var form = this.section.querySelector(":scope > .comment-form");
    if (form) {
      var parts = {
        form: form,
        name: form.querySelector("[name=author_name]"),
        body: form.querySelector("[name=body]"),
        submit: form.querySelector("[type=submit]"),
        error: el("p", { className: "comment-error", role: "alert" }),
      };
      parts.submit.parentNode.parentNode.insertBefore(parts.error, parts.submit.parentNode);
      if (parts.name && !parts.name.value) parts.name.value = myName();
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        self.post(parts, null);
      });
    }
    this.refresh(false)
      .then(function () {
        if (location.hash && /^#comment-\d+$/.test(location.hash)) {
          var target = document.querySelector(location.hash);
          if (target && target.scrollIntoView) target.scrollIntoView();
        }
      })
      .catch(function () {
        /* keep the published snapshot and its plain forms */
      });
    window.setInterval(function () {
      if (document.visibilityState === "visible") self.refresh(true).catch(function () {});
    }, POLL_MS);
  };

  function textOf(html) {
    // Best effort when this browser did not keep the Markdown it sent.
    var div = document.createElement("div");
    div.innerHTML = html;
    return (div.textContent || "").trim();
  }

  /* ---- wall counts: one call per page ---- */
  function countLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-count-for]"));
  }

  function updateCounts(values) {
    var links = countLinks();
    values.forEach(function (v) {
      links.forEach(function (link) {
        if (link.getAttribute("data-count-for") === v.path) link.textContent = count("count", v.n);
      });
    });
  }

  function refreshCounts() {
    var paths = [];
    countLinks().forEach(function (link) {
      var path = link.getAttribute("data-count-for");
      if (paths.indexOf(path) < 0) paths.push(path);
    });
    if (!paths.length) return;
    var query = paths
      .slice(0, 100)
      .map(function (p) {
        return "thread=" + encodeURIComponent(p);
      })
      .join("&");
    request("GET", "/counts?" + query)
      .then(function (counts) {
        updateCounts(
          Object.keys(counts).map(function (path) {
            return { path: path, n: counts[path] };
          })
        );
      })
      .catch(function () {
        /* the published counts stay */
      });
  }

  function start() {
    var section = document.querySelector("section.comments[data-thread]");
    if (section) {
      section.classList.add("is-live");
      new Thread(section).enhance();
    }
    refreshCounts();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
