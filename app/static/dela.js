// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

  // Tell about a too-large attachment before the form is sent, so no typing is lost.
  function checkFileSizes(form) {
    var limit = parseInt(form.getAttribute("data-max-bytes"), 10);
    var input = form.querySelector("input[type=file]");
    var message = document.getElementById("attachments-size-error");
    if (!limit || !input || !message) { return; }
    input.addEventListener("change", function () {
      var tooBig = Array.prototype.filter.call(input.files, function (f) { return f.size > limit; });
      if (tooBig.length) {
        message.textContent = message.getAttribute("data-template") ?
          message.getAttribute("data-template").replace("%s", tooBig.map(function (f) { return f.name; }).join(", ")) :
          tooBig.map(function (f) { return f.name; }).join(", ") + ": " + Math.round(limit / 1048576) + " MB max";
        message.hidden = false;
        input.setAttribute("aria-invalid", "true");
      } else {
        message.hidden = true;
        input.removeAttribute("aria-invalid");
      }
    });
  }

  // Move focus to the error summary so screen-reader and keyboard users hear what went wrong.
  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-max-bytes]"), checkFileSizes);
    focusErrors();
  });
}());

// Suggest-as-you-type on the header search box: the ARIA 1.2 combobox pattern with a listbox.
(function () {
  "use strict";
  var input = document.getElementById("header-q");
  if (!input || !window.fetch) { return; }
  var url = input.getAttribute("data-suggest");
  var list = document.createElement("ul");
  list.id = "header-q-listbox";
  list.setAttribute("role", "listbox");
  list.className = "suggestions";
  list.hidden = true;
  input.parentNode.appendChild(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  var items = [];
  var active = -1;
  var timer = null;
  var latest = 0;

  function close() {
    list.hidden = true;
    list.innerHTML = "";
    items = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    items.forEach(function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
    active = index;
    if (index >= 0) { input.setAttribute("aria-activedescendant", items[index].id); }
    else { input.removeAttribute("aria-activedescendant"); }
  }

  function show(suggestions) {
    close();
    suggestions.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = "header-q-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.textContent = s.title;
      li.dataset.url = s.url;
      li.addEventListener("mousedown", function (event) { event.preventDefault(); window.location.href = s.url; });
      list.appendChild(li);
      items.push(li);
    });
    if (items.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = input.value.trim();
    if (text.length < 2) { close(); return; }
    timer = setTimeout(function () {
      var ticket = ++latest;
      fetch(url + "?q=" + encodeURIComponent(text), { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (data) { if (ticket === latest) { show(data); } })
        .catch(close);
    }, 150);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      highlight((active + 1) % items.length);
    } else if (event.key === "ArrowUp" && items.length) {
      event.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = items[active].dataset.url;
    } else if (event.key === "Escape" && !list.hidden) {
      // Close the list but keep the text (a search field would otherwise clear itself).
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
}());

// The agenda builder: drag a row to a new place; the order is saved with the same form the
// up/down buttons use (POST with the CSRF token), and the page reloads. Without JavaScript the
// buttons do it one step at a time.
(function () {
  "use strict";
  var form = document.getElementById("agenda-order-form");
  var table = document.getElementById("agenda-table");
  if (!form || !table) { return; }
  var body = table.tBodies[0];
  var dragged = null;
  Array.prototype.forEach.call(body.rows, function (row) {
    row.setAttribute("draggable", "true");
    row.classList.add("draggable");
    row.addEventListener("dragstart", function (event) {
      dragged = row;
      row.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.getAttribute("data-block-id"));
    });
    row.addEventListener("dragend", function () {
      row.classList.remove("dragging");
      dragged = null;
    });
    row.addEventListener("dragover", function (event) {
      if (!dragged || dragged === row) { return; }
      event.preventDefault();
      var box = row.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      body.insertBefore(dragged, after ? row.nextSibling : row);
    });
    row.addEventListener("drop", function (event) {
      event.preventDefault();
      var ids = Array.prototype.map.call(body.rows, function (r) { return r.getAttribute("data-block-id"); });
      form.elements.order.value = ids.join(",");
      form.submit();
    });
  });
  var hint = document.getElementById("agenda-drag-hint");
  if (hint) { hint.hidden = false; }
}());
