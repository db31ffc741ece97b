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

  function nameFromFile(row) {
    const file = row.querySelector("input[type=file]");
    const name = row.querySelector("input[name$='-name']");
    if (file.files.length && !name.value) {
      name.value = file.files[0].name.replace(/\.(pdf|jpe?g|png)$/i, "");
    }
  }
  rows.forEach(function (row) {
    row.querySelector("input[type=file]").addEventListener("change", function () {
      nameFromFile(row);
    });
  });

  const zone = form.querySelector("[data-dropzone]");
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
      nameFromFile(row);
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
