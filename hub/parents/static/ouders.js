// "Vandaag" live: an EventSource on the page's stream; each message carries every child's state.
(function () {
  "use strict";
  var list = document.querySelector("[data-stream]");
  if (!list || !window.EventSource) return;
  var source = new EventSource(list.getAttribute("data-stream"));
  window.aanwezigStream = source; // tests look for an open stream
  source.addEventListener("open", function () { document.getElementById("live").hidden = false; });
  source.addEventListener("vandaag", function (message) {
    JSON.parse(message.data).forEach(function (item) {
      var child = list.querySelector('[data-child="' + item.child + '"]');
      if (!child) return;
      var state = child.querySelector(".state");
      state.textContent = item.text;
      state.className = "state state-" + item.state;
      state.setAttribute("data-state", item.state);
      child.querySelector(".unit").textContent = item.unit ? "scanner " + item.unit : "";
    });
  });
  source.addEventListener("einde", function () { source.close(); window.location.href = "/ouders/aanmelden"; });
})();
