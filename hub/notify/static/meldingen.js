// "Meldingen": register the service worker, subscribe this browser to Web Push with the hub's
// VAPID public key, and show a message that arrives while the page is open.
(function () {
  "use strict";
  var box = document.getElementById("toestel");
  if (!box) return;
  var status = document.getElementById("push-status");
  var button = document.getElementById("push-aan");
  var last = document.getElementById("laatste-melding");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");

  function key(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    status.textContent = "Deze browser kan geen meldingen ontvangen; kies meldingen per e-mail.";
    button.hidden = true;
    return;
  }
  window.aanwezigWorker = navigator.serviceWorker.register("/ouders/sw.js", { scope: "/ouders/" });
  navigator.serviceWorker.addEventListener("message", function (event) {
    if (!event.data || event.data.type !== "melding") return;
    last.hidden = false;
    last.textContent = event.data.title + ": " + event.data.body;
  });

  button.addEventListener("click", function () {
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error("geweigerd");
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(box.getAttribute("data-public-key")) });
    }).then(function (subscription) {
      return fetch("/ouders/meldingen/browser", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(subscription.toJSON())
      });
    }).then(function (response) {
      if (!response.ok) throw new Error("hub");
      status.textContent = "Meldingen staan aan op dit toestel.";
    }).catch(function () {
      status.textContent = "Meldingen konden niet aangezet worden op dit toestel. Sta meldingen toe in je browser, of kies e-mail.";
    });
  });
})();
