// The live news wall: a listing page asks for itself again every N seconds (data-live-seconds on
// <body>) with a conditional request, so nothing new costs a 304. When the page changed, each
// list marked data-live-list is made to match the new page: new posts appear at the top (marked,
// and announced politely to screen readers), unpublished ones disappear, nothing else on the page
// (a date being typed, the scroll position) is touched. A button pauses and resumes it.
(function () {
  var seconds = parseInt(document.body.getAttribute("data-live-seconds") || "0", 10);
  var toggle = document.getElementById("live-toggle");
  var status = document.getElementById("live-status");
  if (!seconds || !toggle || !status || !window.fetch || !window.DOMParser) {
    return;
  }
  var paused = false;
  var timer = null;
  var lastTag = null;

  function links(list) {
    var found = {};
    Array.prototype.forEach.call(list.children, function (item) {
      var link = item.querySelector("a");
      if (link) {
        found[link.getAttribute("href")] = item;
      }
    });
    return found;
  }

  function merge(list, fresh) {
    var have = links(list);
    var added = 0;
    var wanted = Array.prototype.map.call(fresh.children, function (item) {
      var link = item.querySelector("a");
      var href = link && link.getAttribute("href");
      if (href && have[href]) {
        return have[href];
      }
      var node = document.importNode(item, true);
      if (href) {
        node.classList.add("live-new");
        added += 1;
      }
      return node;
    });
    Array.prototype.slice.call(list.children).forEach(function (item) {
      if (wanted.indexOf(item) < 0) {
        item.remove();
      }
    });
    wanted.forEach(function (item, index) {
      if (list.children[index] !== item) {
        list.insertBefore(item, list.children[index] || null);
      }
    });
    return added;
  }

  function update(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var added = 0;
    document.querySelectorAll("[data-live-list]").forEach(function (list) {
      var name = list.getAttribute("data-live-list");
      var fresh = Array.prototype.find.call(page.querySelectorAll("[data-live-list]"), function (candidate) {
        return candidate.getAttribute("data-live-list") === name;
      });
      if (fresh) {
        added += merge(list, fresh);
      }
    });
    if (added) {
      status.textContent = added + " 条新消息";
    }
  }

  function poll() {
    if (paused) {
      return;
    }
    fetch(location.href, { cache: "no-cache", credentials: "same-origin" })
      .then(function (response) {
        var tag = response.headers.get("ETag");
        if (!response.ok || (tag && tag === lastTag)) {
          return null;
        }
        lastTag = tag;
        return response.text();
      })
      .then(function (html) {
        if (html) {
          update(html);
        }
      })
      .catch(function () {})
      .then(schedule);
  }

  function schedule() {
    clearTimeout(timer);
    if (!paused) {
      timer = setTimeout(poll, seconds * 1000);
    }
  }

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
