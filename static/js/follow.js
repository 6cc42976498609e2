// 关注: a reader follows sources and stocks, kept in this browser only (localStorage, no account).
// Each source's section on the home page gets a 关注 button, and so does a stock's page
// (/stock/<code>/); the followed sources are shown first, in a block of their own at the top of
// the sources (each fetched from /live/section/<id>/, a cached fragment), the followed stocks as
// links to their pages, and the 只看关注 switch narrows the page to them: the newest-news list keeps
// only the items of those sources or naming those stocks, the other sections are hidden.
(function () {
  var slot = document.querySelector("[data-follow-slot]");
  var stockHead = document.querySelector("[data-follow-stock]");
  if ((!slot && !stockHead) || !window.localStorage || !window.fetch) {
    return;
  }
  var KEY = "finews:follow";
  var ONLY = "finews:follow-only";

  function load() {
    try {
      var found = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(found) ? found.filter(function (s) { return s && s.id && s.name; }) : [];
    } catch (error) {
      return [];
    }
  }

  function save(list) {
    try {
      localStorage.setItem(KEY, JSON.stringify(list));
    } catch (error) { /* storage full or refused: following just is not kept */ }
  }

  var followed = load();
  var only = localStorage.getItem(ONLY) === "1";

  function isFollowed(id) {
    return followed.some(function (s) { return s.id === id; });
  }

  function section(id) {
    return document.querySelector('.sources > .tag-section[data-tag="' + id + '"]');
  }

  // The sources a section's posts belong to: the first part of each post's address is its
  // source's key (Jekyll's /:categories/… permalinks), what the newest-news items link to too.
  function keysOf(section) {
    var keys = {};
    section.querySelectorAll("li a").forEach(function (link) {
      keys[link.getAttribute("href").split("/")[1]] = true;
    });
    return Object.keys(keys);
  }

  // A 关注 button for ``id``; ``entry()`` is what following it keeps (a source's keys, a stock's page).
  function followButton(id, name, entry) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "follow";
    b.setAttribute("data-follow", id);
    var label = document.createElement("span");
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = name;  // read as "关注 <name>": the visible word starts the name
    b.appendChild(label);
    b.appendChild(hidden);
    paint(b, isFollowed(id));
    b.addEventListener("click", function () {
      if (isFollowed(id)) {
        followed = followed.filter(function (s) { return s.id !== id; });
      } else {
        followed.push(entry());
      }
      save(followed);
      if (slot) {
        render();
      } else {  // a stock's own page: no block to show it in
        paint(b, isFollowed(id));
      }
    });
    return b;
  }

  function button(section, id, name) {
    return followButton(id, name, function () { return { id: id, name: name, keys: keysOf(section) }; });
  }

  function paint(b, on) {
    b.setAttribute("aria-pressed", on ? "true" : "false");
    b.firstChild.textContent = on ? "已关注" : "关注";
  }

  function addButtons(root) {
    root.querySelectorAll(".tag-section[data-tag]").forEach(function (section) {
      var heading = section.querySelector("h2");
      if (heading && !section.querySelector(".follow")) {
        heading.insertAdjacentElement("afterend", button(section, section.getAttribute("data-tag"), heading.textContent));
      }
    });
  }

  function render() {
    document.querySelectorAll("button[data-follow]").forEach(function (b) {
      paint(b, isFollowed(b.getAttribute("data-follow")));
    });
    slot.hidden = !followed.length;
    toggle.hidden = !followed.length;
    if (!followed.length) {
      only = false;
    }
    toggle.setAttribute("aria-pressed", only ? "true" : "false");
    var keys = {}, stocks = {};
    followed.forEach(function (s) {
      (s.keys || []).forEach(function (key) { keys[key] = true; });
      if (s.stock) {
        stocks[s.stock.split("/")[2]] = true;  // by its code: list items link /stock/<code>/
      }
    });
    // The followed sources' own sections, in the order they were followed.
    var holder = slot.querySelector(".follow-list");
    var wanted = followed.map(function (s) { return s.id; });
    Array.prototype.slice.call(holder.children).forEach(function (node) {
      if (wanted.indexOf(node.getAttribute("data-tag")) < 0) {
        node.remove();
      }
    });
    followed.forEach(function (s) {
      if (s.stock && !holder.querySelector('[data-tag="' + s.id + '"]')) {
        holder.appendChild(stockNode(s));
      } else if (!s.stock && !holder.querySelector('[data-tag="' + s.id + '"]')) {
        fetch("/live/section/" + encodeURIComponent(s.id) + "/", { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.text() : ""; })
          .then(function (html) {
            if (!html || !isFollowed(s.id) || holder.querySelector('[data-tag="' + s.id + '"]')) {
              return;
            }
            var box = document.createElement("template");
            box.innerHTML = html;
            box.content.querySelectorAll("[id]").forEach(function (node) {
              node.removeAttribute("id");  // the same section stays in the list below, with its id
            });
            addButtons(box.content);
            holder.appendChild(box.content);
          })
          .catch(function () {});
      }
    });
    // 只看关注: the rest of the sources and the others' news hidden.
    document.querySelectorAll(".sources > .tag-section").forEach(function (node) {
      node.hidden = only;
    });
    document.querySelectorAll(".wall > li").forEach(function (item) {
      var link = item.querySelector("a:not(.src):not(.sec)");
      var named = Array.prototype.some.call(item.querySelectorAll(".secs a"), function (a) {
        return stocks[a.getAttribute("href").split("/")[2]];
      });
      item.hidden = only && !named && !(link && keys[link.getAttribute("href").split("/")[1]]);
    });
  }

  // A stock: its id is "stock:<path>", its items are those linking its page.
  function stockButton(id, name, path) {
    return followButton(id, name, function () { return { id: id, name: name, stock: path }; });
  }

  if (stockHead) {
    var path = stockHead.getAttribute("data-path");
    stockHead.appendChild(stockButton("stock:" + path, stockHead.getAttribute("data-name"), path));
    if (!slot) {
      return;
    }
  }

  function stockNode(s) {
    var node = document.createElement("p");
    node.className = "follow-stock";
    node.setAttribute("data-tag", s.id);
    var link = document.createElement("a");
    link.href = s.stock;
    link.textContent = s.name;
    node.appendChild(link);
    node.appendChild(document.createTextNode(" "));
    node.appendChild(stockButton(s.id, s.name, s.stock));
    return node;
  }

  slot.innerHTML = '<p class="follow-title">我的关注</p><div class="follow-list"></div>';
  var toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "follow-only";
  toggle.textContent = "只看关注";
  toggle.addEventListener("click", function () {
    only = !only;
    localStorage.setItem(ONLY, only ? "1" : "0");
    render();
  });
  var head = document.querySelector(".sources .view-switch");
  head.appendChild(document.createTextNode(" · "));
  head.appendChild(toggle);
  addButtons(document);
  render();
  // Items the live wall adds later follow the switch too.
  var wall = document.querySelector(".wall");
  if (wall && window.MutationObserver) {
    new MutationObserver(function () {
      if (only) {
        render();
      }
    }).observe(wall, { childList: true });
  }
})();
