// Birthplace pickers of the identity form: a suggestion fills the field and its INSEE code;
// only the fields of the chosen birthplace option are shown. Without JavaScript every field
// stays visible and the server resolves what was typed.
(function () {
  "use strict";
  const form = document.getElementById("identity-form");
  if (!form) return;
  const code = form.querySelector("input[name=birthplace_code]");

  form.addEventListener("click", function (event) {
    const option = event.target.closest(".picker__option");
    if (!option) return;
    const input = form.querySelector("input[name=" + option.dataset.target + "]");
    input.value = option.dataset.label;
    code.value = option.dataset.code;
    option.closest(".picker").remove();
    input.focus();
  });
  ["birthplace", "birth_country"].forEach(function (name) {
    const input = form.querySelector("input[name=" + name + "]");
    if (input) input.addEventListener("input", function () { code.value = ""; });
  });

  function showBirthplace() {
    const kind = form.querySelector("input[name=birthplace_kind]:checked");
    form.querySelectorAll("[data-birthplace]").forEach(function (block) {
      block.hidden = !kind || block.dataset.birthplace !== kind.value;
    });
  }
  form.querySelectorAll("input[name=birthplace_kind]").forEach(function (radio) {
    radio.addEventListener("change", showBirthplace);
  });
  showBirthplace();
})();
