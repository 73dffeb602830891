/* Demo shop logic. It talks to the capi-bridge web tag only through its public API (`cact(...)`), exactly
   like a real site would: the shopper's profile via setProperty, consent via consent.update, events via
   trigger. Loaded synchronously right after the tag snippet, so every call is queued until tag.js runs. */
(function () {
  'use strict';
  var CONSENT_CATEGORY = (window.DEMO_SHOP && window.DEMO_SHOP.consentCategory) || '1';
  var CURRENCY = 'EUR';
  var PRODUCTS = [
    { id: 'SKU-1001', name: 'Linen shirt', price: 49.9, category: 'Shirts', brand: 'Demo' },
    { id: 'SKU-1002', name: 'Wool scarf', price: 29.5, category: 'Accessories', brand: 'Demo' },
    { id: 'SKU-1003', name: 'Canvas sneakers', price: 79, category: 'Shoes', brand: 'Demo' },
  ];
  var SHOPPER = {
    email: 'Jane.Doe@Example.com',
    phone: '+33 6 12 34 56 78',
    firstname: 'Jane',
    lastname: 'Doe',
    city: 'Paris',
    country: 'FR',
  };

  function params() { return new URLSearchParams(location.search); }
  function readJson(key, fallback) {
    try { var v = localStorage.getItem(key); return v ? JSON.parse(v) : fallback; } catch (e) { return fallback; }
  }
  function writeJson(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* ignore */ } }
  function getCookie(name) {
    var m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
    return m ? decodeURIComponent(m[1]) : undefined;
  }
  function round2(n) { return Math.round(n * 100) / 100; }
  function product(id) { for (var i = 0; i < PRODUCTS.length; i++) if (PRODUCTS[i].id === id) return PRODUCTS[i]; return PRODUCTS[0]; }
  function item(p, qty) {
    return { id: p.id, quantity: qty, price: p.price,
      product: { id: p.id, name: p.name, price: p.price, currency: CURRENCY, category_1: p.category, brand: p.brand } };
  }
  function cart() { return readJson('demo_cart', []); }
  function cartItems() { return cart().map(function (l) { return item(product(l.id), l.qty); }); }
  function cartValue() { return round2(cart().reduce(function (s, l) { return s + product(l.id).price * l.qty; }, 0)); }

  // ---- shopper (signed in by default; ?shopper=guest makes an anonymous visitor) ----
  var shopperParam = params().get('shopper');
  if (shopperParam === 'guest' || shopperParam === 'jane') writeJson('demo_shopper', shopperParam);
  var signedIn = readJson('demo_shopper', 'jane') !== 'guest';
  if (signedIn) {
    cact('setProperty', 'user.email', SHOPPER.email);
    cact('setProperty', 'user.phone', SHOPPER.phone);
    cact('setProperty', 'user.firstname', SHOPPER.firstname);
    cact('setProperty', 'user.lastname', SHOPPER.lastname);
    cact('setProperty', 'user.city', SHOPPER.city);
    cact('setProperty', 'user.country', SHOPPER.country);
  }

  // ---- consent: the shop's own tiny consent banner, remembered in a cookie ----
  function applyConsent(decision) {
    cact('consent.update', { categories: decision === 'granted' ? [CONSENT_CATEGORY] : [] });
  }
  var consent = getCookie('demo_consent');
  if (consent === 'granted' || consent === 'refused') applyConsent(consent);

  // ---- events, each with its real outcome ----
  // With data-debug the tag reads the server's answer to each forward and hands it to the trigger callback:
  // 202 accepted, 200 with the server's drop reasons, an error status with its message, or 0 (no answer).
  var SANDBOX_PAGE = window.DEMO_SHOP && window.DEMO_SHOP.sandboxPage;
  var entries = [];
  function consentHolds() { return !!CONSENT_CATEGORY && consent !== 'granted' && consent !== 'refused'; }
  function describe(entry, outcome) {
    if (!outcome) {
      if (consent === 'refused') return { state: 'not-sent', text: 'not sent: consent refused' };
      return { state: 'sent', text: 'sent (outcome unknown: the tag reports it with data-debug)' };
    }
    if (outcome.status === 202) return { state: 'sent', text: 'sent: accepted by the server' };
    if (outcome.status === 200) {
      var drops = [];
      (outcome.results || []).forEach(function (r) {
        (r.destinations || []).forEach(function (d) {
          if (d.status === 'dropped') drops.push(d.reason + (d.match_keys ? ' (keys present: ' + (d.match_keys.join(', ') || 'none') + ')' : ''));
        });
      });
      return { state: 'dropped', text: 'dropped by the server: ' + (drops.join('; ') || 'no destination accepted it') + '; the pixel copy still went to Meta' };
    }
    var msg = outcome.error && outcome.error.message;
    if (!outcome.status) return { state: 'refused', text: 'not delivered to the server: ' + (msg || 'no answer') };
    return { state: 'refused', text: 'refused by the server (HTTP ' + outcome.status + ')' + (msg ? ': ' + msg : '') };
  }
  function draw() {
    var list = document.querySelector('#event-log ol');
    if (!list) return;
    list.replaceChildren.apply(list, entries.map(function (e) {
      var li = document.createElement('li');
      li.setAttribute('data-event', e.name);
      li.setAttribute('data-outcome', e.state);
      li.className = 'outcome-' + e.state;
      var name = document.createElement('strong'); name.textContent = e.name;
      var note = document.createElement('span'); note.className = 'note'; note.textContent = ' — ' + e.text;
      li.appendChild(name); li.appendChild(note);
      if (e.id) {
        li.setAttribute('data-event-id', e.id);
        var id = document.createElement('div'); id.className = 'event-id';
        if (SANDBOX_PAGE && e.state !== 'not-sent') {
          var a = document.createElement('a'); a.href = SANDBOX_PAGE + '#event_id=' + encodeURIComponent(e.id); a.target = '_blank';
          a.rel = 'noopener'; a.className = 'sandbox-link'; a.textContent = 'event ' + e.id.slice(0, 8) + '… on the sandbox page';
          id.appendChild(a);
        } else id.textContent = 'event id ' + e.id;
        li.appendChild(id);
      }
      return li;
    }));
  }
  function trigger(name, props) {
    // Until the tag has loaded the call waits in the queue; the tag calls back once the event has left and the
    // server answered, or once consent refused it.
    var entry = { name: name, state: consentHolds() ? 'held' : 'pending',
      text: consentHolds() ? 'held for consent: answer the cookie banner to send it' : 'sending…' };
    entries.push(entry);
    draw();
    cact('trigger', name, props || {}, function (id, outcome) {
      var d = describe(entry, outcome);
      entry.id = id; entry.state = d.state; entry.text = d.text;
      draw();
    });
  }
  window.demoShop = { trigger: trigger, products: PRODUCTS, shopper: SHOPPER, cartItems: cartItems, cartValue: cartValue };

  function pageName() { return document.body ? document.body.getAttribute('data-page') : ''; }

  // Page-load events fire as soon as the body exists (the tag queues them until it has loaded).
  document.addEventListener('DOMContentLoaded', function () {
    draw();
    var name = pageName();
    // The base-code page's own fbq('track', 'PageView') is its page view (the tag mirrors it to the server).
    if (name !== 'base-code') trigger('page_view', { page_type: name, page_name: document.title });
    if (name === 'product') {
      var p = product(params().get('sku') || PRODUCTS[0].id);
      trigger('view_item', { value: p.price, currency: CURRENCY, items: [item(p, 1)] });
    } else if (name === 'checkout') {
      trigger('begin_checkout', { value: cartValue(), currency: CURRENCY, items: cartItems() });
    } else if (name === 'thank-you') {
      var order = readJson('demo_last_order', null);
      if (order && !order.tracked) {
        trigger('purchase', { id: order.id, value: order.value, currency: CURRENCY, items: order.items,
          payment_method: 'card' });
        order.tracked = true;
        writeJson('demo_last_order', order);
      }
    }
    addChrome();
    render(name);
  });

  /** What every page shows besides its own content: the event log and the consent banner. */
  function addChrome() {
    var log = document.createElement('aside'); log.id = 'event-log'; log.setAttribute('aria-live', 'polite');
    log.innerHTML = '<h2>Events fired on this page</h2><ol></ol>';
    var banner = document.createElement('div'); banner.id = 'consent-banner'; banner.hidden = true;
    banner.innerHTML = '<p>We use advertising cookies (Meta Pixel) to measure our ads. Do you accept?</p>'
      + '<button id="consent-accept" type="button">Accept</button> <button id="consent-refuse" type="button">Refuse</button>';
    document.body.appendChild(log);
    document.body.appendChild(banner);
    draw();
  }

  function render(name) {
    var header = document.getElementById('shop-header');
    if (header) {
      header.innerHTML = '';
      var brand = document.createElement('a'); brand.href = '/'; brand.textContent = 'Demo Shop'; brand.className = 'brand';
      var who = document.createElement('span'); who.id = 'shopper';
      who.textContent = signedIn ? 'Signed in as ' + SHOPPER.firstname + ' ' + SHOPPER.lastname : 'Guest';
      var toggle = document.createElement('a'); toggle.id = 'shopper-toggle';
      toggle.href = '?shopper=' + (signedIn ? 'guest' : 'jane'); toggle.textContent = signedIn ? 'Sign out' : 'Sign in';
      var cartLink = document.createElement('a'); cartLink.href = '/cart.html'; cartLink.id = 'cart-link';
      cartLink.textContent = 'Cart (' + cart().reduce(function (s, l) { return s + l.qty; }, 0) + ')';
      header.appendChild(brand); header.appendChild(who); header.appendChild(toggle); header.appendChild(cartLink);
    }
    var banner = document.getElementById('consent-banner');
    if (banner) {
      document.getElementById('consent-accept').onclick = function () { decide('granted'); };
      document.getElementById('consent-refuse').onclick = function () { decide('refused'); };
      if (consent !== 'granted' && consent !== 'refused') banner.hidden = false;
    }
    if (header && banner) {
      var settings = document.createElement('button'); settings.type = 'button'; settings.id = 'cookie-settings';
      settings.textContent = 'Cookie settings';
      settings.onclick = function () { banner.hidden = false; };
      header.appendChild(settings);
    }
    function decide(d) {
      consent = d;
      document.cookie = 'demo_consent=' + d + '; path=/; max-age=' + 180 * 86400 + '; samesite=lax';
      applyConsent(d);
      banner.hidden = true;
      entries.forEach(function (e) { if (e.state === 'held') { e.state = 'pending'; e.text = d === 'granted' ? 'sending…' : 'not sent: consent refused'; } });
      draw();
      // The base-code page runs Meta's base code only with consent: load it again to start it.
      if (name === 'base-code' && d === 'granted') location.reload();
    }

    if (name === 'home') {
      var list = document.getElementById('product-list');
      PRODUCTS.forEach(function (p) {
        var li = document.createElement('li');
        var a = document.createElement('a'); a.href = '/product.html?sku=' + p.id; a.textContent = p.name;
        a.setAttribute('data-sku', p.id);
        li.appendChild(a); li.appendChild(document.createTextNode(' — €' + p.price.toFixed(2)));
        list.appendChild(li);
      });
      document.getElementById('custom-event').onclick = function () {
        trigger('size_guide_open', { content_name: 'Size guide', section: 'shirts' });
      };
    }
    if (name === 'product') {
      var p = product(params().get('sku') || PRODUCTS[0].id);
      document.getElementById('product-name').textContent = p.name;
      document.getElementById('product-price').textContent = '€' + p.price.toFixed(2);
      document.getElementById('add-to-cart').onclick = function () {
        var qty = Math.max(1, parseInt(document.getElementById('quantity').value, 10) || 1);
        var lines = cart();
        var line = lines.filter(function (l) { return l.id === p.id; })[0];
        if (line) line.qty += qty; else lines.push({ id: p.id, qty: qty });
        writeJson('demo_cart', lines);
        trigger('add_to_cart', { value: round2(p.price * qty), currency: CURRENCY, items: [item(p, qty)] });
        render('product-refresh');
      };
    }
    if (name === 'cart' || name === 'checkout') {
      var ul = document.getElementById('cart-lines');
      ul.innerHTML = '';
      cart().forEach(function (l) {
        var li = document.createElement('li'); li.textContent = l.qty + ' × ' + product(l.id).name; ul.appendChild(li);
      });
      document.getElementById('cart-total').textContent = '€' + cartValue().toFixed(2);
    }
    if (name === 'cart') {
      document.getElementById('begin-checkout').onclick = function () { location.href = '/checkout.html'; };
    }
    if (name === 'checkout') {
      document.getElementById('place-order').onclick = function () {
        var order = { id: 'ORDER-' + Date.now().toString(36).toUpperCase(), value: cartValue(), items: cartItems() };
        writeJson('demo_last_order', order);
        writeJson('demo_cart', []);
        location.href = '/thank-you.html?order=' + encodeURIComponent(order.id);
      };
    }
    if (name === 'base-code') {
      document.getElementById('fbq-add-to-cart').onclick = function () {
        var p = PRODUCTS[0];
        // The page's own pixel call, no eventID: the tag's mirror adds one and forwards it as add_to_cart.
        if (window.fbq) fbq('track', 'AddToCart', { value: p.price, currency: CURRENCY, content_ids: [p.id],
          contents: [{ id: p.id, quantity: 1, item_price: p.price }], content_type: 'product' });
        entries.push({ name: 'AddToCart', state: 'sent', text: "the page's own fbq call: the tag's mirror gave it an event id and forwarded it" });
        draw();
      };
    }
    if (name === 'thank-you') {
      var o = readJson('demo_last_order', null);
      document.getElementById('order-id').textContent = o ? o.id : '(none)';
    }
  }
})();
