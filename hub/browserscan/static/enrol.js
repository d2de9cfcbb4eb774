// After a right PIN the hub shows the new credential once: keep it in this browser's IndexedDB
// (never in a cookie: the device API takes it as a bearer token) and open the scanning screen.
import * as store from "./store.js";

const data = document.getElementById("enrolment").dataset;
const status = document.getElementById("enrol-status");
try {
  await store.put("device", { credential: data.credential, unit: data.unit, location: data.location, name: data.name });
  status.textContent = "Klaar. Het scanscherm opent.";
  location.replace("/scanner/");
} catch (error) {
  status.textContent = "Dit toestel kon de scanner niet bewaren (privévenster?). Probeer opnieuw in een gewoon venster.";
}
