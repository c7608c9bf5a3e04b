// cari: suggestions as you type, on top of a search form that works without this file.
// The input becomes an ARIA 1.2 combobox with a listbox popup; arrows move,
// Enter picks (and searches), Escape closes. Headlines (the API's "articles")
// are listed apart, under their own heading, and picking one opens the article.
// No inline script: CSP allows 'self' only.
(function () {
  "use strict";

  var DELAY_MS = 120;
  var MIN_CHARS = 2;
  var MAX_CHARS = 100;  // the API refuses longer prefixes

  function suggestionsFrom(data) {
    // Accept a plain list, {"suggestions": [...]}, or the OpenSearch shape [q, [...]].
    if (Array.isArray(data) && data.length === 2 && Array.isArray(data[1])) return data[1];
    if (Array.isArray(data)) return data;
    if (data && Array.isArray(data.suggestions)) return data.suggestions;
    return [];
  }

  function textOf(item) {
    return typeof item === "string" ? item : (item && (item.text || item.value || item.title)) || "";
  }

  function enhance(input) {
    var form = input.form;
    var url = input.getAttribute("data-suggest");
    var articleBase = input.getAttribute("data-article") || "/article";
    var listId = input.id + "-suggestions";
    var list = document.createElement("ul");
    var timer = null;
    var active = -1;
    var lastAsked = "";
    var typed = input.value;

    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.labels && input.labels[0] ? input.labels[0].textContent : "");
    list.hidden = true;
    list.setAttribute("data-articles", input.getAttribute("data-articles-label") || "");
    input.parentNode.appendChild(list);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    function options() { return list.querySelectorAll("[role=option]"); }

    function close() {
      list.hidden = true;
      list.textContent = "";
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var items = options();
      if (!items.length) return;
      if (index < -1) index = items.length - 1;
      if (index >= items.length) index = -1;
      active = index;
      for (var i = 0; i < items.length; i++) {
        items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (index === -1) {
        input.value = typed;
        input.removeAttribute("aria-activedescendant");
      } else {
        // A headline is an article to open, not text to search: the input keeps what was typed.
        input.value = items[index].hasAttribute("data-href") ? typed : items[index].textContent;
        input.setAttribute("aria-activedescendant", items[index].id);
      }
    }

    function choose(option) {
      var href = option.getAttribute("data-href");
      close();
      if (href) { window.location.assign(href); return; }
      input.value = option.textContent;
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }

    function option(text, id, href) {
      var li = document.createElement("li");
      li.id = id;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.textContent = text;  // textContent: suggestions come from the corpus, never HTML
      if (href) {
        li.setAttribute("data-href", href);
        li.className = "headline";
      }
      li.addEventListener("mousedown", function (event) {
        event.preventDefault();  // keep focus in the input
        choose(li);
      });
      return li;
    }

    function show(items, articles) {
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      var headlines = {};
      articles.forEach(function (a) { headlines[a.title] = a.id; });
      items.forEach(function (item, i) {
        var text = textOf(item);
        if (text && !(text in headlines)) list.appendChild(option(text, listId + "-" + i));
      });
      if (articles.length) {
        var heading = document.createElement("li");
        heading.setAttribute("role", "presentation");
        heading.className = "group";
        heading.textContent = list.getAttribute("data-articles") || "";
        list.appendChild(heading);
        articles.forEach(function (a, i) {
          list.appendChild(option(a.title, listId + "-a" + i, articleBase + "?id=" + encodeURIComponent(a.id)));
        });
      }
      var open = options().length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
    }

    function ask() {
      var prefix = input.value;
      if (prefix.trim().length < MIN_CHARS || prefix.length > MAX_CHARS) { close(); return; }
      if (prefix === lastAsked) return;
      lastAsked = prefix;
      fetch(url + "?q=" + encodeURIComponent(prefix), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (data) {
          if (input.value !== prefix || document.activeElement !== input) return;  // stale answer
          show(suggestionsFrom(data), (data && Array.isArray(data.articles)) ? data.articles : []);
        })
        .catch(close);
    }

    input.addEventListener("input", function () {
      typed = input.value;
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown") {
        if (!open) { lastAsked = ""; ask(); return; }
        event.preventDefault();
        highlight(active + 1);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(options()[active]);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        input.value = typed;
        close();
      }
    });

    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var inputs = document.querySelectorAll("input[data-suggest]");
    for (var i = 0; i < inputs.length; i++) enhance(inputs[i]);
  });
})();
