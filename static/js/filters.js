// A reader's own filters and notifications, kept in this browser (like 关注), on every list of posts.
//
// 保留词: when any are set, only items whose title (or source) holds one of them show. 屏蔽词: items
// holding one do not show. Hidden items are counted ("已隐藏 N 条"), and one click shows them (marked
// as filtered) or hides them again. Items the live wall adds later are filtered as they come.
//
// 重要通知: off by default. The browser is asked for permission only when the reader clicks the
// button; once allowed, a new 重要 item arriving on an open wall (not one filtered out) shows a
// system notification, with a short tone when 提示音 is ticked.
(function () {
  var panel = document.querySelector("[data-word-filter]");
  var lists = Array.prototype.slice.call(document.querySelectorAll("[data-live-list]"));
  if (!panel || !lists.length || !window.localStorage) {
    return;
  }
  var KEEP = "finews:keep-words";
  var MUTE = "finews:mute-words";
  var NOTIFY = "finews:notify-important";
  var SOUND = "finews:notify-sound";
  var keepInput = panel.querySelector("#filter-keep");
  var muteInput = panel.querySelector("#filter-mute");
  var count = document.getElementById("filter-count");
  var reveal = document.getElementById("filter-reveal");
  var notifyButton = document.getElementById("notify-toggle");
  var soundBox = document.getElementById("notify-sound");
  var notifyStatus = document.getElementById("notify-status");
  var revealed = false;

  function read(key) {
    try {
      var words = JSON.parse(localStorage.getItem(key) || "[]");
      return Array.isArray(words) ? words.filter(function (word) { return typeof word === "string" && word; }) : [];
    } catch (error) {
      return [];
    }
  }

  function words(text) {
    var seen = [];
    text.split(/[\s,，、;；]+/).forEach(function (word) {
      if (word && seen.indexOf(word) < 0) {
        seen.push(word);
      }
    });
    return seen;
  }

  // What a word is looked for in: the item's title and its source (not its story's other reports).
  function itemText(item) {
    var parts = Array.prototype.slice.call(item.querySelectorAll(":scope > a")).map(function (link) {
      return link.textContent;
    });
    return parts.join(" ").toLowerCase();
  }

  // A filtered item, when shown, says so in words (not only by being faded).
  function badge(item, out) {
    var mark = item.querySelector(":scope > .filtered-mark");
    if (out && !mark) {
      mark = document.createElement("span");
      mark.className = "filtered-mark";
      mark.textContent = "已过滤";
      item.appendChild(mark);
    } else if (!out && mark) {
      mark.remove();
    }
  }

  function hidden(item, keep, mute) {
    var text = itemText(item);
    function has(word) { return text.indexOf(word.toLowerCase()) >= 0; }
    return mute.some(has) || (keep.length > 0 && !keep.some(has));
  }

  // Filter every list; returns how many items are filtered out.
  function apply() {
    var keep = read(KEEP);
    var mute = read(MUTE);
    var total = 0;
    lists.forEach(function (list) {
      Array.prototype.slice.call(list.querySelectorAll(":scope > li[data-id]")).forEach(function (item) {
        var out = hidden(item, keep, mute);
        item.classList.toggle("filtered", out);  // styles hide it (the hidden attribute is 只看关注's)
        badge(item, out);
        total += out ? 1 : 0;
      });
    });
    document.documentElement.classList.toggle("filters-revealed", revealed);
    count.hidden = total === 0;
    count.querySelector("[data-filter-number]").textContent = total;
    reveal.setAttribute("aria-pressed", revealed ? "true" : "false");
    return total;
  }

  keepInput.value = read(KEEP).join(" ");
  muteInput.value = read(MUTE).join(" ");
  panel.querySelector("form").addEventListener("submit", function (event) {
    event.preventDefault();
    localStorage.setItem(KEEP, JSON.stringify(words(keepInput.value)));
    localStorage.setItem(MUTE, JSON.stringify(words(muteInput.value)));
    revealed = false;
    apply();
  });
  reveal.addEventListener("click", function () {
    revealed = !revealed;
    apply();
  });

  // --- notifications for new 重要 items --------------------------------------------------------
  var supported = "Notification" in window;
  var audio = null;

  function notifying() {
    return supported && Notification.permission === "granted" && localStorage.getItem(NOTIFY) === "1";
  }

  function showNotifyState() {
    var on = notifying();
    notifyButton.setAttribute("aria-pressed", on ? "true" : "false");
    soundBox.checked = localStorage.getItem(SOUND) === "1";
    soundBox.disabled = !on;
  }

  function tone() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return;
    }
    audio = audio || new Context();
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.value = 0.08;
    oscillator.connect(gain);
    gain.connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.2);
  }

  function tell(items) {
    if (!notifying()) {
      return;
    }
    items.forEach(function (item) {
      var link = item.querySelector("a:not(.src)");
      var source = item.querySelector("a.src");
      var note;
      try {
        note = new Notification("重要：" + (link ? link.textContent : ""), {
          body: source ? source.textContent : "", tag: "finews-" + item.getAttribute("data-id"), lang: "zh-CN"
        });
      } catch (error) {  // Chrome on Android shows notifications only through a service worker
        notifyStatus.textContent = "这个浏览器不能从网页直接显示通知";
        return;
      }
      note.onclick = function () {
        window.focus();
        if (link) {
          window.location.href = link.href;
        }
      };
    });
    if (items.length && localStorage.getItem(SOUND) === "1") {
      tone();
    }
  }

  if (supported) {
    notifyButton.hidden = false;
    soundBox.parentNode.hidden = false;
    showNotifyState();
    notifyButton.addEventListener("click", function () {
      if (notifying()) {
        localStorage.setItem(NOTIFY, "0");
        showNotifyState();
        return;
      }
      // Asked here, and only here: after the reader's click.
      Promise.resolve(Notification.requestPermission()).then(function (answer) {
        if (answer === "granted") {
          localStorage.setItem(NOTIFY, "1");
          notifyStatus.textContent = "已开启：新的重要消息会以系统通知提醒";
        } else {
          notifyStatus.textContent = "浏览器没有允许通知；可在浏览器的网站设置里允许后再试";
        }
        showNotifyState();
      });
    });
    soundBox.addEventListener("change", function () {
      localStorage.setItem(SOUND, soundBox.checked ? "1" : "0");
    });
  }

  // Items the live wall adds (news/reader/live.py, static/js/live.js marks them live-new).
  if (window.MutationObserver) {
    var observer = new MutationObserver(function (changes) {
      var added = [];
      changes.forEach(function (change) {
        Array.prototype.slice.call(change.addedNodes).forEach(function (node) {
          if (node.nodeType === 1 && node.matches("li[data-id].live-new")) {
            added.push(node);
          }
        });
      });
      if (!added.length) {
        return;
      }
      apply();
      tell(added.filter(function (item) { return item.classList.contains("imp") && !item.classList.contains("filtered"); }));
    });
    lists.forEach(function (list) { observer.observe(list, { childList: true }); });
  }
  panel.hidden = false;
  apply();
})();
