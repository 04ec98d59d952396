// Activity form: meeting fields only for meeting types, and a preview of the chosen files.
(function () {
  const meeting = JSON.parse(document.getElementById("meeting-types").textContent);
  const type = document.getElementById("id_type");
  const box = document.getElementById("meeting-fields");
  function toggle() { box.hidden = !meeting.includes(type.value); }
  type.addEventListener("change", toggle); toggle();
  const input = document.getElementById("id_files");
  const preview = document.getElementById("file-preview");
  input.addEventListener("change", function () {
    preview.replaceChildren();
    for (const file of input.files) {
      const cell = document.createElement("a");
      if (file.type.startsWith("image/")) {
        const img = document.createElement("img");
        img.src = URL.createObjectURL(file); img.alt = file.name; cell.appendChild(img);
      } else {
        cell.textContent = file.name; cell.className = "p-2 small";
      }
      preview.appendChild(cell);
    }
  });
})();
