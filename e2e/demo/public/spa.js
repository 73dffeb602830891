/* The single-page demo: a tiny router on history.pushState/popstate, like React Router, Next.js or Vue Router.
   It fires no page_view itself: the tag's autoPageViews does, once per route change. */
(function () {
  'use strict';
  var shop = window.demoShop;
  var view = document.getElementById('spa-view');

  function route() {
    var path = location.pathname.replace(/\/+$/, '');
    var m = /^\/spa\/product\/([\w-]+)$/.exec(path);
    view.innerHTML = '';
    var h = document.createElement('h1');
    view.appendChild(h);
    if (m) {
      var p = shop.products.filter(function (x) { return x.id === m[1]; })[0] || shop.products[0];
      h.textContent = p.name;
      document.title = p.name + ' · Single-page shop';
      var add = document.createElement('button');
      add.type = 'button'; add.id = 'spa-add-to-cart'; add.textContent = 'Add to cart (€' + p.price.toFixed(2) + ')';
      add.onclick = function () {
        shop.trigger('add_to_cart', { value: p.price, currency: 'EUR', items: [{ id: p.id, quantity: 1, price: p.price,
          product: { id: p.id, name: p.name, price: p.price, currency: 'EUR', category_1: p.category, brand: p.brand } }] });
      };
      view.appendChild(add);
    } else if (path === '/spa/cart' || path === '/spa/checkout') {
      h.textContent = path === '/spa/cart' ? 'Your cart' : 'Checkout';
      document.title = h.textContent + ' · Single-page shop';
    } else {
      h.textContent = 'Single-page shop';
      document.title = 'Single-page shop · Demo Shop';
      var ul = document.createElement('ul'); ul.className = 'products';
      shop.products.forEach(function (p) {
        var li = document.createElement('li');
        var a = document.createElement('a'); a.href = '/spa/product/' + p.id; a.textContent = p.name;
        a.setAttribute('data-route', ''); a.setAttribute('data-sku', p.id);
        li.appendChild(a); ul.appendChild(li);
      });
      view.appendChild(ul);
    }
  }

  document.addEventListener('click', function (e) {
    var a = e.target && e.target.closest ? e.target.closest('a[data-route]') : null;
    if (!a || e.metaKey || e.ctrlKey) return;
    e.preventDefault();
    if (a.pathname !== location.pathname) history.pushState({}, '', a.pathname);
    route();
  });
  window.addEventListener('popstate', route);
  route();
})();
