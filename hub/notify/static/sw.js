// The parents' service worker: shows a pushed message and tells open pages about it.
"use strict";

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: "Aanwezig", body: event.data.text() }; }
  var title = data.title || "Aanwezig";
  var told = self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (clients) {
    clients.forEach(function (client) { client.postMessage({ type: "melding", title: title, body: data.body || "" }); });
  });
  var shown = self.registration.showNotification(title, {
    body: data.body || "", tag: data.tag || undefined, data: { url: data.url || "/ouders" }
  }).catch(function () { /* no permission to show: the open page still got it */ });
  event.waitUntil(Promise.all([told, shown]));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  event.waitUntil(self.clients.openWindow((event.notification.data && event.notification.data.url) || "/ouders"));
});
