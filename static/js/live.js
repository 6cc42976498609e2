// The live wall. Each list with data-live-src (the first page of home's newest block, /emnews/, a
// category, a tag, a stock, 只看重要) asks its delta endpoint (news/reader/live.py) every N seconds (data-live-seconds
// on <body>) for what changed above its newest item (data-cursor). The answer holds the list's
// current top ids ("!" marks 重要) and the markup of the new items only: new items go on top
// (marked, announced politely to screen readers, counted in the tab title while unseen), items no
// longer in the top are removed, nothing else on the page (a word being typed, the scroll
// position) is touched. A quiet poll is a 304. Where the front pushes, a list with data-live-stream
// hears the same answers as events instead (see "Pushed events" below) and is polled only while its
// stream is down. A button pauses and resumes it.
(function () {
  var seconds = parseInt(document.body.getAttribute("data-live-seconds") || "0", 10);
  var toggle = document.getElementById("live-toggle");
  var status = document.getElementById("live-status");
  var lists = Array.prototype.slice.call(document.querySelectorAll("[data-live-src]"));
  if (!seconds || !toggle || !status || !lists.length || !window.fetch || !window.JSON) {
    return;
  }
  var empty = document.querySelector("[data-live-src] li.empty");
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

  // Make the list hold what the answer says its top is. New items come with their markup; an id
  // the page does not hold that came without it (a post dated earlier than the newest, one marked
  // 重要 later, one moving up when another left) means the list is asked for whole once.
  function apply(list, data) {
    var order = [];
    var wanted = {};
    (data.ids ? data.ids.split(",") : []).forEach(function (id) {
      var important = id.charAt(id.length - 1) === "!";
      id = important ? id.slice(0, -1) : id;
      order.push(id);
      wanted[id] = important;
    });
    var held = {};
    Array.prototype.slice.call(list.children).forEach(function (item) {
      var id = item.getAttribute("data-id");
      if (!id || !(id in wanted)) {
        item.remove();
        return;
      }
      held[id] = item;
      mark(item, wanted[id]);
    });
    var box = document.createElement("template");
    box.innerHTML = data["new"].join("");
    var added = [];
    Array.prototype.slice.call(box.content.children).forEach(function (item) {
      var id = item.getAttribute("data-id");
      if (id in held) {
        if (data.reset) {
          story(held[id], item.querySelector("details.story"));
          return;  // the whole list: what the page holds stays as it is (its story's reports aside)
        }
        held[id].remove();  // sent again above the cursor: it moved (its date changed)
      } else {
        item.classList.add("live-new");
        added.push(item);
      }
      held[id] = item;
    });
    var complete = order.every(function (id) { return id in held; });
    if (!complete) {
      return null;
    }
    // Everything wanted is at hand: put it in the answer's order, moving only what is out of place.
    order.forEach(function (id, index) {
      if (list.children[index] !== held[id]) {
        list.insertBefore(held[id], list.children[index] || null);
      }
    });
    if (!order.length && !list.children.length && empty) {
      list.appendChild(empty.cloneNode(true));
    }
    list.setAttribute("data-cursor", data.c);
    return added;
  }

  // A story's reports under its first item: the list sent whole (reset) brings the whole
  // <details>; a delta brings its count and only the reports that came after the cursor.
  function story(item, fresh) {
    var old = item.querySelector("details.story");
    if (!fresh) {
      return;
    }
    if (old) {
      fresh.open = old.open;
      old.replaceWith(fresh);
    } else {
      item.appendChild(fresh);
    }
  }

  function storyUpdates(list, updates) {
    Object.keys(updates || {}).forEach(function (id) {
      var item = list.querySelector('li[data-id="' + id + '"]');
      if (!item) {
        return;
      }
      var update = updates[id];  // [story id, "N 家来源", markup of the new reports]
      var details = item.querySelector("details.story");
      if (!details) {
        details = document.createElement("details");
        details.className = "story";
        details.setAttribute("data-story", update[0]);
        details.appendChild(document.createElement("summary"));
        details.appendChild(document.createElement("ul"));
        item.appendChild(details);
      }
      details.querySelector("summary").textContent = update[1];
      var box = document.createElement("template");
      box.innerHTML = update[2];
      var reportsList = details.querySelector("ul");
      Array.prototype.slice.call(box.content.children).forEach(function (report) {
        if (!reportsList.querySelector('li[data-report="' + report.getAttribute("data-report") + '"]')) {
          reportsList.appendChild(report);
        }
      });
    });
  }

  // New items are seen when the tab shows and the top of their list is on the screen.
  function seenAll() {
    return !document.hidden && lists.every(function (list) {
      return list.getBoundingClientRect().top >= 0;
    });
  }

  function announce(added) {
    if (!added.length) {
      return;
    }
    var important = added.filter(function (item) {
      return item.classList.contains("imp");
    }).map(function (item) {
      return item.querySelector("a:not(.src)").textContent;
    });
    var text = added.length + " 条新消息";
    if (important.length) {
      text += "，重要：" + important.join("；");
    }
    status.textContent = text;
    if (!seenAll()) {
      unseen += added.length;
      document.title = "(" + unseen + ") " + title;
    }
  }

  function clearUnseen() {
    if (unseen && seenAll()) {
      unseen = 0;
      document.title = title;
    }
  }

  function get(url) {
    return fetch(url, { cache: "no-cache", credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.json() : null;
    });
  }

  // An answer (a delta or an event) read at time data.v: one older than what the list shows
  // already is not applied (two app servers' events may cross on the way).
  function fresh(list, data) {
    var shown = parseInt(list.getAttribute("data-live-v") || "0", 10);
    if (data.v && data.v < shown) {
      return false;
    }
    if (data.v) {
      list.setAttribute("data-live-v", data.v);
    }
    return true;
  }

  function receive(list, data) {
    if (!data || paused || !fresh(list, data)) {
      return Promise.resolve();
    }
    var added = apply(list, data);
    storyUpdates(list, data.s);
    if (added === null) {  // the whole list, once: every item's markup (src without a cursor)
      return get(list.getAttribute("data-live-src")).then(function (whole) {
        if (whole && !paused && fresh(list, whole)) {
          announce(apply(list, whole) || []);
        }
      });
    }
    announce(added);
    return Promise.resolve();
  }

  function ask(list) {
    var src = list.getAttribute("data-live-src");
    var cursor = list.getAttribute("data-cursor") || "0";
    return get(src + (src.indexOf("?") < 0 ? "?" : "&") + "after=" + encodeURIComponent(cursor))
      .then(function (data) { return receive(list, data); })
      .catch(function () {});
  }

  // Pushed events (data-live-stream: the list's channel on the front, news/push/). Each event is
  // what a delta would answer; when the stream opens (first, and after every drop) one delta
  // brings what came before it; while it is down the list is polled.
  var streams = [];
  var delay = 0;

  function listen(list) {
    var state = { list: list, source: new EventSource(list.getAttribute("data-live-stream")), open: false };
    delay = delay || seconds;
    state.source.onopen = function () {
      state.open = true;
      list.setAttribute("data-live-streaming", "");  // pushed to now (styles and tests may ask)
      delay = seconds;
      ask(list);
    };
    state.source.onmessage = function (message) {
      var data;
      try {
        data = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (data.v && data.v < parseInt(list.getAttribute("data-live-v") || "0", 10)) {
        ask(list);  // an older event after a newer one: the list as it is now, once
        return;
      }
      receive(list, data);
    };
    state.source.onerror = function () {
      state.open = false;
      list.removeAttribute("data-live-streaming");
      if (state.source.readyState === EventSource.CLOSED && !paused) {
        // Refused (not a drop the browser retries itself): try again later, less often each time.
        setTimeout(function () {
          if (!paused && streams.indexOf(state) >= 0) {
            streams.splice(streams.indexOf(state), 1, listen(list));
          }
        }, delay * 1000);
        delay = Math.min(delay * 2, 300);
      }
      schedule();
    };
    return state;
  }

  function streaming(list) {
    return streams.some(function (state) { return state.list === list && state.open; });
  }

  function poll() {
    if (paused) {
      return;
    }
    Promise.all(lists.filter(function (list) { return !streaming(list); }).map(ask)).then(schedule);
  }

  // Streaming, every list is still asked now and then: what no event announces (a scheduled post
  // whose time came, a publish that failed) shows within a minute.
  function check() {
    if (!paused) {
      Promise.all(lists.map(ask)).then(schedule);
    }
  }

  function schedule() {
    clearTimeout(timer);
    if (paused) {
      return;
    }
    var down = lists.some(function (list) { return !streaming(list); });
    timer = setTimeout(down ? poll : check, (down ? seconds : Math.max(seconds * 12, 60)) * 1000);
  }

  function start() {
    if (window.EventSource) {
      streams = lists.filter(function (list) {
        return list.hasAttribute("data-live-stream");
      }).map(listen);
    }
    schedule();
  }

  function stop() {
    clearTimeout(timer);
    streams.forEach(function (state) {
      state.source.close();
      state.list.removeAttribute("data-live-streaming");
    });
    streams = [];
  }

  document.addEventListener("visibilitychange", clearUnseen);
  window.addEventListener("scroll", clearUnseen, { passive: true });
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    paused = !paused;
    toggle.setAttribute("aria-pressed", paused ? "true" : "false");
    toggle.textContent = paused ? "继续自动更新" : "暂停自动更新";
    if (paused) {
      stop();
    } else {
      poll();
      start();
    }
  });
  start();
})();
