// A conversation opens at its newest message; in the inbox it refreshes itself, so answers show up without reloading.
(function () {
  "use strict";
  var box = document.getElementById("chat-box");
  function scrollDown() {
    var chat = document.getElementById("chat");
    if (chat) { chat.scrollTop = chat.scrollHeight; }
  }
  function refresh() {
    if (document.hidden) { return; }
    fetch(box.dataset.src, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var chat = document.getElementById("chat");
        var atBottom = !chat || chat.scrollHeight - chat.scrollTop - chat.clientHeight < 40;
        box.innerHTML = html;  // server-rendered with autoescape: client text arrives escaped
        if (atBottom) { scrollDown(); }
      })
      .catch(function () { /* offline for a moment: the next tick tries again */ });
  }
  scrollDown();  // the newest messages are the ones a trainer wants to see
  if (box) { setInterval(refresh, 4000); }
}());
