/**
 * The shapes of synthetic CloudFace traffic: countries, user agents, pages, referrers and
 * campaigns, each ordered by popularity. Hand-written from public traffic mixes (StatCounter
 * browser shares, typical SaaS referrer tables); edit here to change what `cfa demo` shows.
 */

export interface Country {
  code: string;
  /** relative share of sessions */
  weight: number;
  /** UTC offset in hours of the main population, for the daily cycle */
  tz: number;
  /** [region, city] as geoip-lite reports them, most populous first */
  cities: readonly (readonly [string, string])[];
}

export const COUNTRIES: readonly Country[] = [
  {
    code: 'US',
    weight: 24,
    tz: -6,
    cities: [
      ['CA', 'Los Angeles'],
      ['NY', 'New York'],
      ['TX', 'Austin'],
      ['IL', 'Chicago'],
      ['WA', 'Seattle'],
      ['FL', 'Miami'],
    ],
  },
  {
    code: 'IN',
    weight: 12,
    tz: 5.5,
    cities: [
      ['MH', 'Mumbai'],
      ['KA', 'Bengaluru'],
      ['DL', 'Delhi'],
      ['TN', 'Chennai'],
      ['TG', 'Hyderabad'],
    ],
  },
  {
    code: 'GB',
    weight: 7,
    tz: 0,
    cities: [
      ['ENG', 'London'],
      ['ENG', 'Manchester'],
      ['SCT', 'Edinburgh'],
      ['ENG', 'Bristol'],
    ],
  },
  {
    code: 'DE',
    weight: 6,
    tz: 1,
    cities: [
      ['BE', 'Berlin'],
      ['BY', 'Munich'],
      ['HH', 'Hamburg'],
      ['NW', 'Cologne'],
    ],
  },
  {
    code: 'BR',
    weight: 4.5,
    tz: -3,
    cities: [
      ['SP', 'São Paulo'],
      ['RJ', 'Rio de Janeiro'],
      ['MG', 'Belo Horizonte'],
    ],
  },
  {
    code: 'FR',
    weight: 4,
    tz: 1,
    cities: [
      ['IDF', 'Paris'],
      ['ARA', 'Lyon'],
      ['PAC', 'Marseille'],
    ],
  },
  {
    code: 'CA',
    weight: 3.5,
    tz: -5,
    cities: [
      ['ON', 'Toronto'],
      ['BC', 'Vancouver'],
      ['QC', 'Montreal'],
    ],
  },
  {
    code: 'AU',
    weight: 3,
    tz: 10,
    cities: [
      ['NSW', 'Sydney'],
      ['VIC', 'Melbourne'],
      ['QLD', 'Brisbane'],
    ],
  },
  {
    code: 'NL',
    weight: 2.5,
    tz: 1,
    cities: [
      ['NH', 'Amsterdam'],
      ['ZH', 'Rotterdam'],
      ['UT', 'Utrecht'],
    ],
  },
  {
    code: 'ES',
    weight: 2.5,
    tz: 1,
    cities: [
      ['MD', 'Madrid'],
      ['CT', 'Barcelona'],
      ['VC', 'Valencia'],
    ],
  },
  {
    code: 'IT',
    weight: 2.3,
    tz: 1,
    cities: [
      ['25', 'Milan'],
      ['62', 'Rome'],
      ['72', 'Naples'],
    ],
  },
  {
    code: 'JP',
    weight: 2.2,
    tz: 9,
    cities: [
      ['13', 'Tokyo'],
      ['27', 'Osaka'],
      ['14', 'Yokohama'],
    ],
  },
  {
    code: 'MX',
    weight: 2,
    tz: -6,
    cities: [
      ['CMX', 'Mexico City'],
      ['JAL', 'Guadalajara'],
      ['NLE', 'Monterrey'],
    ],
  },
  {
    code: 'ID',
    weight: 1.8,
    tz: 7,
    cities: [
      ['JK', 'Jakarta'],
      ['JB', 'Bandung'],
      ['JI', 'Surabaya'],
    ],
  },
  {
    code: 'PL',
    weight: 1.6,
    tz: 1,
    cities: [
      ['14', 'Warsaw'],
      ['12', 'Kraków'],
      ['02', 'Wrocław'],
    ],
  },
  {
    code: 'SE',
    weight: 1.4,
    tz: 1,
    cities: [
      ['AB', 'Stockholm'],
      ['O', 'Gothenburg'],
    ],
  },
  {
    code: 'TR',
    weight: 1.4,
    tz: 3,
    cities: [
      ['34', 'Istanbul'],
      ['06', 'Ankara'],
    ],
  },
  {
    code: 'PH',
    weight: 1.3,
    tz: 8,
    cities: [
      ['00', 'Manila'],
      ['07', 'Cebu City'],
    ],
  },
  {
    code: 'NG',
    weight: 1.2,
    tz: 1,
    cities: [
      ['LA', 'Lagos'],
      ['FC', 'Abuja'],
    ],
  },
  {
    code: 'ZA',
    weight: 1.1,
    tz: 2,
    cities: [
      ['GP', 'Johannesburg'],
      ['WC', 'Cape Town'],
    ],
  },
  {
    code: 'PK',
    weight: 1.1,
    tz: 5,
    cities: [
      ['PB', 'Lahore'],
      ['SD', 'Karachi'],
    ],
  },
  {
    code: 'KR',
    weight: 1,
    tz: 9,
    cities: [
      ['11', 'Seoul'],
      ['26', 'Busan'],
    ],
  },
  {
    code: 'AR',
    weight: 1,
    tz: -3,
    cities: [
      ['C', 'Buenos Aires'],
      ['X', 'Córdoba'],
    ],
  },
  {
    code: 'CH',
    weight: 0.9,
    tz: 1,
    cities: [
      ['ZH', 'Zurich'],
      ['GE', 'Geneva'],
    ],
  },
  {
    code: 'BE',
    weight: 0.8,
    tz: 1,
    cities: [
      ['BRU', 'Brussels'],
      ['VAN', 'Antwerp'],
    ],
  },
  {
    code: 'AE',
    weight: 0.8,
    tz: 4,
    cities: [
      ['DU', 'Dubai'],
      ['AZ', 'Abu Dhabi'],
    ],
  },
  { code: 'SG', weight: 0.8, tz: 8, cities: [['01', 'Singapore']] },
  {
    code: 'IE',
    weight: 0.7,
    tz: 0,
    cities: [
      ['L', 'Dublin'],
      ['M', 'Cork'],
    ],
  },
  {
    code: 'PT',
    weight: 0.7,
    tz: 0,
    cities: [
      ['11', 'Lisbon'],
      ['13', 'Porto'],
    ],
  },
  {
    code: 'AT',
    weight: 0.6,
    tz: 1,
    cities: [
      ['9', 'Vienna'],
      ['6', 'Graz'],
    ],
  },
  {
    code: 'DK',
    weight: 0.6,
    tz: 1,
    cities: [
      ['84', 'Copenhagen'],
      ['82', 'Aarhus'],
    ],
  },
  {
    code: 'NO',
    weight: 0.5,
    tz: 1,
    cities: [
      ['03', 'Oslo'],
      ['46', 'Bergen'],
    ],
  },
  {
    code: 'FI',
    weight: 0.5,
    tz: 2,
    cities: [
      ['18', 'Helsinki'],
      ['11', 'Tampere'],
    ],
  },
  {
    code: 'IL',
    weight: 0.5,
    tz: 2,
    cities: [
      ['TA', 'Tel Aviv'],
      ['JM', 'Jerusalem'],
    ],
  },
  {
    code: 'VN',
    weight: 0.5,
    tz: 7,
    cities: [
      ['SG', 'Ho Chi Minh City'],
      ['HN', 'Hanoi'],
    ],
  },
  {
    code: 'EG',
    weight: 0.5,
    tz: 2,
    cities: [
      ['C', 'Cairo'],
      ['ALX', 'Alexandria'],
    ],
  },
  { code: 'KE', weight: 0.4, tz: 3, cities: [['30', 'Nairobi']] },
  {
    code: 'CO',
    weight: 0.4,
    tz: -5,
    cities: [
      ['DC', 'Bogotá'],
      ['ANT', 'Medellín'],
    ],
  },
  {
    code: 'NZ',
    weight: 0.4,
    tz: 12,
    cities: [
      ['AUK', 'Auckland'],
      ['WGN', 'Wellington'],
    ],
  },
  {
    code: 'CZ',
    weight: 0.4,
    tz: 1,
    cities: [
      ['10', 'Prague'],
      ['64', 'Brno'],
    ],
  },
  { code: 'GR', weight: 0.3, tz: 2, cities: [['I', 'Athens']] },
];

/** Real user-agent strings with their share; the collector's own parser turns them into fields. */
export const USER_AGENTS: readonly (readonly [string, number])[] = [
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    24,
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    16,
  ],
  [
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    15,
  ],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    9,
  ],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    6,
  ],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    6,
  ],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 4],
  [
    'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
    3.5,
  ],
  [
    'Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    2.5,
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
    2.5,
  ],
  [
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    2,
  ],
  ['Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 1.5],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0', 1.2],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0',
    1,
  ],
  ['Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0', 0.8],
  [
    'Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    0.8,
  ],
  [
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    0.7,
  ],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 YaBrowser/24.12.0.0 Safari/537.36',
    0.4,
  ],
];

const BLOG = [
  'how-face-search-finds-you-in-10000-photos',
  'wedding-photo-delivery-guide',
  'privacy-of-face-recognition',
  'event-photographers-save-hours',
  'school-photo-day-made-easy',
  'marathon-bib-and-face-search',
  'google-drive-photo-search',
  'choosing-a-match-threshold',
  'sharing-galleries-on-whatsapp',
  'conference-photo-workflows',
  'face-search-vs-manual-tagging',
  'release-notes-november',
];

const DOCS = [
  'getting-started',
  'upload-photos',
  'search-by-selfie',
  'share-links',
  'thresholds',
  'api',
  'billing',
  'faq',
];

/** Public pages by popularity; anonymous visitors browse these. */
export const PUBLIC_PAGES: readonly string[] = [
  '/',
  '/pricing',
  '/features',
  '/how-it-works',
  '/signup',
  '/login',
  '/use-cases/weddings',
  '/blog',
  '/use-cases/events',
  '/docs',
  ...BLOG.slice(0, 4).map((slug) => `/blog/${slug}`),
  '/use-cases/schools',
  '/about',
  ...DOCS.slice(0, 4).map((slug) => `/docs/${slug}`),
  '/use-cases/sports',
  ...BLOG.slice(4).map((slug) => `/blog/${slug}`),
  ...DOCS.slice(4).map((slug) => `/docs/${slug}`),
  '/contact',
  '/privacy',
  '/terms',
  '/careers',
];

/** Pages where a session may land from outside, by popularity. */
export const LANDING_PAGES: readonly string[] = PUBLIC_PAGES.filter((p) => p !== '/login' && p !== '/signup');

/** External referrers (origin + path) by popularity; '' (direct) is weighted separately. */
export const REFERRERS: readonly string[] = [
  'https://www.google.com/',
  'https://t.co/',
  'https://www.bing.com/',
  'https://l.facebook.com/',
  'https://www.reddit.com/r/photography/',
  'https://duckduckgo.com/',
  'https://news.ycombinator.com/item',
  'https://www.linkedin.com/',
  'https://l.instagram.com/',
  'https://www.youtube.com/',
  'https://www.producthunt.com/posts/cloudface-ai',
  'https://github.com/',
  'android-app://com.google.android.gm',
  'https://www.google.co.in/',
  'https://www.google.de/',
  'https://chatgpt.com/',
  'https://yandex.ru/',
  'https://www.ecosia.org/',
  'https://www.perplexity.ai/',
  'https://medium.com/@photoweekly/face-search-tools',
  'https://dev.to/',
  'https://www.pinterest.com/',
  'https://www.quora.com/',
  'https://www.baidu.com/',
  'https://search.brave.com/',
  'https://photographyblog.example.org/best-delivery-tools',
  'https://weddingplanner.example.com/vendors',
  'https://www.google.co.uk/',
  'https://www.google.com.br/',
  'https://lobste.rs/',
];

export interface Campaign {
  utm_source: string;
  utm_medium: string;
  utm_campaign: string;
  utm_content?: string;
  utm_term?: string;
  landing: string;
  referrer: string;
  weight: number;
}

export const CAMPAIGNS: readonly Campaign[] = [
  {
    utm_source: 'newsletter',
    utm_medium: 'email',
    utm_campaign: 'november-launch',
    landing: '/features',
    referrer: '',
    weight: 5,
  },
  {
    utm_source: 'google',
    utm_medium: 'cpc',
    utm_campaign: 'face-search-brand',
    utm_term: 'find my photos',
    landing: '/',
    referrer: 'https://www.google.com/',
    weight: 4,
  },
  {
    utm_source: 'facebook',
    utm_medium: 'paid-social',
    utm_campaign: 'wedding-photographers',
    utm_content: 'carousel',
    landing: '/use-cases/weddings',
    referrer: 'https://l.facebook.com/',
    weight: 3,
  },
  {
    utm_source: 'producthunt',
    utm_medium: 'referral',
    utm_campaign: 'launch-day',
    landing: '/',
    referrer: 'https://www.producthunt.com/posts/cloudface-ai',
    weight: 2,
  },
  {
    utm_source: 'linkedin',
    utm_medium: 'social',
    utm_campaign: 'event-organisers',
    landing: '/use-cases/events',
    referrer: 'https://www.linkedin.com/',
    weight: 1.5,
  },
  {
    utm_source: 'newsletter',
    utm_medium: 'email',
    utm_campaign: 'weekly-digest',
    utm_content: 'blog-link',
    landing: '/blog/choosing-a-match-threshold',
    referrer: '',
    weight: 1.5,
  },
  {
    utm_source: 'partner-blog',
    utm_medium: 'affiliate',
    utm_campaign: 'black-friday',
    landing: '/pricing',
    referrer: 'https://photographyblog.example.org/best-delivery-tools',
    weight: 1,
  },
  {
    utm_source: 'twitter',
    utm_medium: 'social',
    utm_campaign: 'feature-thread',
    landing: '/features',
    referrer: 'https://t.co/',
    weight: 1,
  },
];

/** Pages of the signed-in app, where CloudFace actions happen. */
export const APP_PAGES = {
  dashboard: '/dashboard',
  upload: '/upload',
  search: '/search',
  results: '/results',
  links: '/links',
  settings: '/settings',
  billing: '/billing',
} as const;

/** Share channels with their weight and how many recipients a share reaches [min, max]. */
export const SHARE_CHANNELS: readonly (readonly [string, number, number, number])[] = [
  ['whatsapp', 40, 1, 12],
  ['email', 18, 1, 6],
  ['qr', 12, 0, 0],
  ['native', 10, 1, 1],
  ['telegram', 6, 1, 8],
  ['copy', 6, 0, 0],
  ['facebook', 4, 1, 30],
  ['twitter', 2, 1, 50],
  ['sms', 2, 1, 4],
];

/** How a visit that arrives through a shared link looks: the referrer its channel leaves. */
export const SHARE_REFERRER: Record<string, string> = {
  facebook: 'https://l.facebook.com/',
  twitter: 'https://t.co/',
  telegram: 'https://t.me/',
  email: 'android-app://com.google.android.gm',
};
