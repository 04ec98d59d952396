// 督查整改 pages: photo previews and the browser's location (plain JS, no map tiles).
(function () {
  function previews(input) {
    var box = document.querySelector(input.getAttribute("data-preview"));
    if (!box) return;
    box.innerHTML = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      if (!file.type || file.type.indexOf("image/") !== 0) return;
      var img = document.createElement("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      box.appendChild(img);
    });
    var count = document.querySelector(input.getAttribute("data-count"));
    if (count) count.textContent = (input.files || []).length ? input.files.length + " 张" : "";
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[type=file][data-preview]")) previews(event.target);
  });

  function locate(button) {
    var form = button.closest("form");
    var status = form.querySelector(".geo-status");
    if (!navigator.geolocation) {
      status.textContent = status.getAttribute("data-unsupported");
      return;
    }
    status.textContent = status.getAttribute("data-wait");
    navigator.geolocation.getCurrentPosition(function (pos) {
      var lat = pos.coords.latitude.toFixed(6), lng = pos.coords.longitude.toFixed(6);
      form.querySelector("[name=latitude]").value = lat;
      form.querySelector("[name=longitude]").value = lng;
      var acc = form.querySelector("[name=accuracy_m]");
      if (acc) acc.value = Math.round(pos.coords.accuracy || 0);
      var address = form.querySelector("[name=address]");
      if (address && !address.value) address.value = "北纬" + lat + "，东经" + lng;
      status.textContent = status.getAttribute("data-ok").replace("%s", lat + ", " + lng)
        .replace("%a", Math.round(pos.coords.accuracy || 0));
      status.classList.add("ok");
    }, function () {
      status.textContent = status.getAttribute("data-denied");
    }, {enableHighAccuracy: true, timeout: 10000, maximumAge: 60000});
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-locate]");
    if (button) { event.preventDefault(); locate(button); }
  });

  // One tap is enough: a second tap while the form is sending does nothing (the server
  // also keeps one finding per form key).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-once]")) return;
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    var button = form.querySelector("[type=submit]:not([formnovalidate])");
    if (button) { button.classList.add("disabled"); button.insertAdjacentHTML("afterbegin", '<span class="spinner-border spinner-border-sm me-2"></span>'); }
  });
})();

// Picking a category proposes its default severity tier (the inspector may change it).
(function () {
  var category = document.getElementById("id_category");
  if (!category || !document.querySelector("input[name=severity]")) return;
  category.addEventListener("change", function (e) {
    var opt = e.target.selectedOptions[0];
    var sev = opt && opt.getAttribute("data-severity");
    if (!sev) return;
    var radio = document.querySelector('input[name=severity][value="' + sev + '"]');
    if (radio) radio.checked = true;
  });
})();
