// The live wall. Each list with data-live-src (the first page of home's newest block, /emnews/, a
// category, a tag, 只看重要) asks its delta endpoint (news/live.py) every N seconds (data-live-seconds
// on <body>) for what changed above its newest item (data-cursor). The answer holds the list's
// current top ids ("!" marks 重要) and the markup of the new items only: new items go on top
// (marked, announced politely to screen readers, counted in the tab title while unseen), items no
// longer in the top are removed, nothing else on the page (a word being typed, the scroll
// position) is touched. A quiet poll is a 304. A button pauses and resumes it.
(function () {
  var seconds = parseInt(document.body.getAttribute("data-live-seconds") || "0", 10);
  var toggle = document.getElementById("live-toggle");
  var status = document.getElementById("live-status");
  var lists = Array.prototype.slice.call(document.querySelectorAll("[data-live-src]"));
  if (!seconds || !toggle || !status || !lists.length || !window.fetch || !window.JSON) {
    return;
  }
  var paused = false;
  var timer = null;
  var unseen = 0;
  var title = document.title;

  function mark(item, important) {
    var has = item.classList.contains("imp");
    if (important === has) {
      return;
    }
    item.classList.toggle("imp", important);
    var badge = item.querySelector(".mark");
    if (important && !badge) {
      badge = document.createElement("strong");
      badge.className = "mark";
      badge.textContent = "重要";
      var link = item.querySelector("a:not(.src)");
      item.insertBefore(badge, link);
      item.insertBefore(document.createTextNode(" "), link);
    } else if (!important && badge) {
      badge.remove();
    }
  }

  function apply(list, data) {
    var wanted = {};
    (data.ids ? data.ids.split(",") : []).forEach(function (id) {
      var important = id.charAt(id.length - 1) === "!";
      wanted[important ? id.slice(0, -1) : id] = important;
    });
    var held = {};
    Array.prototype.slice.call(list.children).forEach(function (item) {
      var id = item.getAttribute("data-id");
      if (!id || data.reset || !(id in wanted)) {
        item.remove();
        return;
      }
      held[id] = true;
      mark(item, wanted[id]);
    });
    var box = document.createElement("template");
    box.innerHTML = data["new"].join("");
    var first = list.firstElementChild;
    var added = 0;
    Array.prototype.slice.call(box.content.children).forEach(function (item) {
      var id = item.getAttribute("data-id");
      if (held[id]) {
        return;
      }
      if (!data.reset || Object.keys(held).length) {
        item.classList.add("live-new");
      }
      list.insertBefore(item, first);
      held[id] = true;
      added += 1;
    });
    var size = parseInt(list.getAttribute("data-live-size") || "50", 10);
    while (list.children.length > size) {
      list.lastElementChild.remove();
    }
    list.setAttribute("data-cursor", data.c);
    return data.reset ? 0 : added;
  }

  // New items are seen when the tab shows and the top of their list is on the screen.
  function seenAll() {
    return !document.hidden && lists.every(function (list) {
      return list.getBoundingClientRect().top >= 0;
    });
  }

  function announce(added, important) {
    if (!added) {
      return;
    }
    var text = added + " 条新消息";
    if (important.length) {
      text += "，重要：" + important.join("；");
    }
    status.textContent = text;
    if (!seenAll()) {
      unseen += added;
      document.title = "(" + unseen + ") " + title;
    }
  }

  function clearUnseen() {
    if (unseen && seenAll()) {
      unseen = 0;
      document.title = title;
    }
  }

  function ask(list) {
    var src = list.getAttribute("data-live-src");
    var url = src + (src.indexOf("?") < 0 ? "?" : "&") + "after=" + encodeURIComponent(list.getAttribute("data-cursor") || "");
    return fetch(url, { cache: "no-cache", credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && !paused) {
          announce(apply(list, data), data.imp || []);
        }
      })
      .catch(function () {});
  }

  function poll() {
    if (paused) {
      return;
    }
    Promise.all(lists.map(ask)).then(schedule);
  }

  function schedule() {
    clearTimeout(timer);
    if (!paused) {
      timer = setTimeout(poll, seconds * 1000);
    }
  }

  document.addEventListener("visibilitychange", clearUnseen);
  window.addEventListener("scroll", clearUnseen, { passive: true });
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    paused = !paused;
    toggle.setAttribute("aria-pressed", paused ? "true" : "false");
    toggle.textContent = paused ? "继续自动更新" : "暂停自动更新";
    if (paused) {
      clearTimeout(timer);
    } else {
      poll();
    }
  });
  schedule();
})();
