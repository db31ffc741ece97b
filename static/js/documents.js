// "Envoyer un document": the drop zone fills the document rows, a chosen file names its row,
// and a ticked suggestion of the directory joins the chosen correspondents. Without JavaScript
// the rows' file fields work on their own.
(function () {
  "use strict";
  const form = document.getElementById("send-form");
  if (!form) return;
  const rows = Array.from(form.querySelectorAll("[data-document-row]"));
  const chosen = document.getElementById("chosen-correspondents");
  const suggestions = document.getElementById("correspondent-suggestions");
  const query = document.getElementById("correspondent-query");

  const zone = form.querySelector("[data-dropzone]");
  const ACCEPTED = /\.(pdf|jpe?g|png)$/i;

  // The server checks again; this spares a 25 MB upload that would be refused anyway.
  function refusal(file) {
    if (file.size > Number(zone.dataset.maxSize)) return zone.dataset.tooLarge;
    if (!ACCEPTED.test(file.name)) return zone.dataset.wrongType;
    return "";
  }
  function checkRow(row) {
    const input = row.querySelector("input[type=file]");
    const error = row.querySelector("[data-row-error]");
    const message = input.files.length ? refusal(input.files[0]) : "";
    error.textContent = message.replace("%(name)s", input.files.length ? input.files[0].name : "");
    error.hidden = !message;
    if (message) {
      input.value = "";
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
    return !message;
  }

  function nameFromFile(row) {
    const file = row.querySelector("input[type=file]");
    const name = row.querySelector("input[name$='-name']");
    if (file.files.length && !name.value) {
      name.value = file.files[0].name.replace(/\.(pdf|jpe?g|png)$/i, "");
      name.dispatchEvent(new Event("input"));
    }
  }
  rows.forEach(function (row) {
    row.querySelector("input[type=file]").addEventListener("change", function () {
      if (checkRow(row)) nameFromFile(row);
    });
  });

  zone.hidden = false;
  zone.tabIndex = 0;
  zone.setAttribute("role", "button");
  function place(files) {
    Array.from(files).forEach(function (file) {
      const row = rows.find(function (r) { return !r.querySelector("input[type=file]").files.length; });
      if (!row) return;
      const transfer = new DataTransfer();
      transfer.items.add(file);
      row.querySelector("input[type=file]").files = transfer.files;
      if (checkRow(row)) nameFromFile(row);
    });
  }
  zone.addEventListener("click", function () {
    const free = rows.find(function (r) { return !r.querySelector("input[type=file]").files.length; });
    if (free) free.querySelector("input[type=file]").click();
  });
  zone.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); zone.click(); }
  });
  zone.addEventListener("dragover", function (event) { event.preventDefault(); zone.classList.add("dropzone--over"); });
  zone.addEventListener("dragleave", function () { zone.classList.remove("dropzone--over"); });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    zone.classList.remove("dropzone--over");
    place(event.dataTransfer.files);
  });

  // A progress bar while the files go up. The recap opens as after a normal submission; a refusal
  // is shown on this page, whose chosen files stay chosen.
  const progress = form.querySelector("[data-progress]");
  form.addEventListener("submit", function (event) {
    if (!progress || !window.FormData || !rows.some(function (r) { return r.querySelector("input[type=file]").files.length; })) return;
    event.preventDefault();
    const bar = progress.querySelector("progress");
    const request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", function (step) {
      if (step.lengthComputable) bar.value = Math.round((100 * step.loaded) / step.total);
    });
    request.setRequestHeader("X-Keeps-Files", "1");
    request.addEventListener("load", function () {
      if (request.status < 400) {
        // Accepted: show the page the server redirected to (it carries the one-time message).
        window.history.replaceState(null, "", request.responseURL || window.location.href);
        document.open();
        document.write(request.responseText);
        document.close();
        return;
      }
      const answer = new DOMParser().parseFromString(request.responseText, "text/html");
      const box = form.querySelector("[data-upload-errors]");
      box.textContent = "";
      answer.querySelectorAll("#send-form .errorlist li").forEach(function (item) {
        const line = document.createElement("p");
        line.textContent = item.textContent.trim();
        box.appendChild(line);
      });
      if (!box.childElementCount && /^text\/plain/.test(request.getResponseHeader("Content-Type") || "")) {
        // Refused before the page was reached (a sending over 200 MB: 413): its one sentence.
        const line = document.createElement("p");
        line.textContent = request.responseText.trim();
        box.appendChild(line);
      }
      box.hidden = !box.childElementCount;
      progress.hidden = true;
      form.querySelector("button[type=submit]").disabled = false;
      if (!box.hidden) box.focus();
    });
    request.addEventListener("error", function () { form.submit(); });
    progress.hidden = false;
    form.querySelector("button[type=submit]").disabled = true;
    request.send(new FormData(form));
  });

  // Enter in the directory search looks up; it does not send the documents.
  query.addEventListener("keydown", function (event) {
    if (event.key === "Enter") event.preventDefault();
  });
  suggestions.addEventListener("change", function (event) {
    const box = event.target.closest("input[name=correspondents]");
    if (!box || !box.checked) return;
    const already = chosen.querySelector("input[value='" + box.value + "']");
    if (already) { already.checked = true; box.closest("li").remove(); return; }
    chosen.appendChild(box.closest("li"));
  });
})();
