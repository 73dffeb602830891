/**
 * The event the web tag POSTs to the companion server's `/collect`, in the Commanders Act v2 layout
 * (event data at the root, metadata in `context`). Server-to-server callers (`/v1/events`) use the same
 * shape with more freedom; see the server README.
 */
export interface TagItem {
  id?: string;
  quantity?: number;
  price?: number;
  product?: {
    id?: string;
    name?: string;
    price?: number;
    currency?: string;
    category_1?: string;
    category_2?: string;
    category_3?: string;
    category_4?: string;
    category_5?: string;
    brand?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface TagUser {
  id?: string;
  email?: string;
  email_sha256?: string;
  phone?: string;
  firstname?: string;
  lastname?: string;
  gender?: string;
  birthdate?: string;
  city?: string;
  state?: string;
  zipcode?: string;
  country?: string;
  /** Consented category ids (Commanders Act: strings). */
  consent_categories?: Array<string | number>;
  [key: string]: unknown;
}

export interface TagEvent {
  /** Commanders Act event name, e.g. `purchase` (the server maps it with the shared table). */
  event_name: string;
  context: {
    /** The event id shared with the Pixel's `eventID`. */
    event_id: string;
    /** Epoch milliseconds. */
    event_timestamp: number;
    page: { url: string; referrer?: string; title?: string };
  };
  integrations: {
    facebook: {
      event_id: string;
      fbp?: string;
      fbc?: string;
      /** Only set when the site overrides the name; never needed for the shared table. */
      event_name?: string;
    };
  };
  user?: TagUser;
  items?: TagItem[];
  value?: number;
  amount?: number;
  revenue?: number;
  currency?: string;
  id?: string;
  [property: string]: unknown;
}

/** Fields the browser may never set: the server strips them from `/collect` bodies. */
export const SERVER_ONLY_FIELDS = [
  'integrations.facebook.action_source',
  'integrations.facebook.test_event_code',
  'integrations.facebook.user_data.client_ip_address',
  'integrations.facebook.user_data.client_user_agent',
  'context.device.ip',
  'context.device.user_agent',
  'browser',
  'type',
] as const;
