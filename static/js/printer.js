// The print wizard's "Destinataire(s)": a ticked suggestion of the directory joins the chosen
// correspondents (the same picker as "Envoyer un document"), Enter in the search looks up.
(function () {
  "use strict";
  const chosen = document.getElementById("chosen-correspondents");
  const suggestions = document.getElementById("correspondent-suggestions");
  const query = document.getElementById("correspondent-query");
  if (!chosen || !suggestions || !query) return;
  query.addEventListener("keydown", function (event) {
    if (event.key === "Enter") event.preventDefault();
  });
  suggestions.addEventListener("change", function (event) {
    const box = event.target.closest("input[name=correspondents]");
    if (!box || !box.checked) return;
    const already = chosen.querySelector("input[value='" + box.value + "']");
    if (already) { already.checked = true; } else { chosen.appendChild(box.closest("li")); }
  });
})();
