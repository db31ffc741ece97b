// The teleconsultation page: the video room through Jitsi's IFrame API (or the local stand-in,
// same API), the finalisation shown when the clinician hangs up or presses "Terminer la
// téléconsultation", a confirmation before leaving with files chosen but not validated, and
// one submission of "Valider" only. Without JavaScript the button's link shows the
// finalisation.
(function () {
  "use strict";
  const room = document.getElementById("room");
  const roomSection = document.getElementById("room-section");
  const finalisation = document.getElementById("finalisation");
  const finish = document.getElementById("finish-teleconsultation");
  const form = document.getElementById("send-form");
  if (!finalisation || !form) return;

  let api = null;
  let ended = false;
  function showFinalisation() {
    if (ended) return;
    ended = true;
    if (api) { const closing = api; api = null; closing.dispose(); }
    if (roomSection) roomSection.hidden = true;
    finalisation.hidden = false;
    finalisation.scrollIntoView();
    const first = finalisation.querySelector("input[name=rating]");
    if (first) first.focus();
  }
  if (room && !finalisation.hidden) {
    if (roomSection) roomSection.hidden = true;
  } else if (room && window.JitsiMeetExternalAPI) {
    const url = new URL(room.dataset.roomUrl);
    // Jitsi opens https://<domain>/<roomName>: the path may hold a tenant ("region/room").
    api = new window.JitsiMeetExternalAPI(url.host, {
      roomName: decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, "")),
      parentNode: room,
      width: "100%",
      height: 480,
      userInfo: { displayName: room.dataset.displayName },
    });
    // The guide: the finalisation screen appears when the clinician hangs up.
    api.addListener("readyToClose", showFinalisation);
    api.addListener("videoConferenceLeft", showFinalisation);
  } else if (room) {
    const link = document.createElement("a");
    link.href = room.dataset.roomUrl;
    link.target = "_blank";
    link.rel = "noopener";
    link.className = "button button--secondary";
    link.textContent = room.dataset.openLabel || room.dataset.roomUrl;
    room.appendChild(link);
  }
  if (finish) {
    finish.addEventListener("click", function (event) {
      event.preventDefault();
      if (api) api.executeCommand("hangup");
      showFinalisation();
    });
  }

  let submitting = false;
  form.addEventListener("submit", function (event) {
    // A double click posts once (the server would answer the second one with the first anyway).
    if (submitting) { event.preventDefault(); return; }
    submitting = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if (submitting) return;
    const chosen = Array.from(form.querySelectorAll("input[type=file]")).some(function (input) {
      return input.files.length > 0;
    });
    if (chosen) { event.preventDefault(); event.returnValue = ""; }
  });
})();
