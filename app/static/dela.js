// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

  // Tell about a too-large attachment before the form is sent, so no typing is lost.
  function checkFileSizes(form) {
    var limit = parseInt(form.getAttribute("data-max-bytes"), 10);
    var input = form.querySelector("input[type=file]");
    var message = form.querySelector("[data-size-error]") || document.getElementById("attachments-size-error");
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

// Idea-book lightbox: a link to an image's own page opens the display size in a modal dialog
// instead. Arrow keys move between images, Escape closes, and focus goes back to the link that
// opened it. Without JavaScript the links lead to the item pages, which have the same image.
(function () {
  "use strict";
  var grid = document.querySelector("[data-gallery]");
  if (!grid || typeof HTMLDialogElement === "undefined") { return; }
  var links = Array.prototype.slice.call(grid.querySelectorAll("a[data-lightbox]"));
  if (!links.length) { return; }
  var current = 0;
  var opener = null;

  function button(name, text) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button secondary lightbox-" + name;
    b.textContent = text;
    return b;
  }

  var dialog = document.createElement("dialog");
  dialog.className = "lightbox";
  dialog.setAttribute("aria-label", grid.getAttribute("data-label-dialog") || "Image");
  var figure = document.createElement("figure");
  var img = document.createElement("img");
  var caption = document.createElement("figcaption");
  var count = document.createElement("p");
  count.className = "lightbox-count";
  count.setAttribute("aria-live", "polite");
  figure.appendChild(img);
  figure.appendChild(caption);
  var controls = document.createElement("div");
  controls.className = "lightbox-controls";
  var previous = button("previous", grid.getAttribute("data-label-previous") || "Previous");
  var next = button("next", grid.getAttribute("data-label-next") || "Next");
  var closer = button("close", grid.getAttribute("data-label-close") || "Close");
  controls.appendChild(previous);
  controls.appendChild(next);
  controls.appendChild(closer);
  dialog.appendChild(figure);
  dialog.appendChild(count);
  dialog.appendChild(controls);
  document.body.appendChild(dialog);

  function show(index) {
    current = (index + links.length) % links.length;
    var link = links[current];
    var thumb = link.querySelector("img");
    var text = link.closest("figure").querySelector("figcaption");
    img.src = link.getAttribute("data-lightbox");
    img.alt = thumb ? thumb.alt : "";
    caption.textContent = text ? text.textContent.trim() : "";
    caption.hidden = !caption.textContent;
    var template = grid.getAttribute("data-label-count") || "%(n)s / %(count)s";
    count.textContent = template.replace("%(n)s", current + 1).replace("%(count)s", links.length);
    previous.hidden = next.hidden = links.length < 2;
  }

  links.forEach(function (link, index) {
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
      event.preventDefault();
      opener = link;
      show(index);
      dialog.showModal();
      closer.focus();
    });
  });
  previous.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  closer.addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "ArrowLeft") { event.preventDefault(); show(current - 1); }
    if (event.key === "ArrowRight") { event.preventDefault(); show(current + 1); }
  });
  // A click on the backdrop (outside the figure and buttons) closes, as people expect.
  dialog.addEventListener("click", function (event) { if (event.target === dialog) { dialog.close(); } });
  dialog.addEventListener("close", function () {
    img.removeAttribute("src");
    if (opener) { opener.focus(); }
  });
}());
