// One minute before the idle limit, offer "Rester connecté"; at the limit, reload the page:
// the server has ended the session and shows the login. The dialog's form posts to the
// keep-alive URL (a 204: the page stays), which resets the server's idle clock.
(function () {
  "use strict";
  const dialog = document.getElementById("session-warning");
  if (!dialog) return;
  const idleMs = Number(dialog.dataset.idleSeconds) * 1000;
  const form = dialog.querySelector("form");
  let warnTimer, endTimer;

  function arm() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(() => dialog.showModal(), Math.max(idleMs - 60000, 0));
    endTimer = setTimeout(() => window.location.reload(), idleMs + 1000);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then((response) => {
        if (response.status === 204) {
          dialog.close();
          arm();
        } else {
          window.location.reload();
        }
      })
      .catch(() => window.location.reload());
  });
  arm();
})();
