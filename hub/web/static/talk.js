// The diary tablet (hub/diary): a tap saves through fetch and redraws only that child's card, so
// the page neither reloads nor jumps. Without JavaScript the same forms post and the page comes
// back at the child. The CSRF token travels in the form, as for every POST.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  const card = form.closest(".diary-child");
  if (!card) return;
  event.preventDefault();
  const data = new FormData(form);
  if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
  card.setAttribute("aria-busy", "true");
  let response;
  try {
    response = await fetch(form.action, { method: "POST", body: data, credentials: "same-origin" });
  } catch (error) {
    card.removeAttribute("aria-busy");
    form.submit(); // the network hiccuped: let the browser post it the ordinary way
    return;
  }
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.getElementById(card.id);
  if (!response.ok || !fresh) {
    window.location.assign(response.url); // logged out, or the child left the list: show that page
    return;
  }
  card.replaceWith(fresh);
  const notice = page.getElementById("flash");
  const old = document.getElementById("flash");
  if (old) old.remove();
  if (notice) fresh.closest("main").prepend(notice);
});
