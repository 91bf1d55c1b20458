import { defineArticle } from '../define'

export default defineArticle({
  id: 'tag:herald.example.com,2024:fleeing-fear-central-asians-exit-russia',
  slug: 'fleeing-fear-central-asians-exit-russia',
  headline: 'Fleeing Fear: Central Asians Exit Russia Amid Rising Hostility',
  dek: 'After the terrorist attack at Crocus City Hall, citizens of Central Asian countries are leaving Russia, driven by fears of escalating violence and rising hostility.',
  section: 'news',
  tags: ['Russia', 'Central Asia', 'Migration'],
  // The source names no author: credited to the site's default author, the newsroom.
  published: '2024-03-28T19:58:00-04:00',
  timeZone: 'America/New_York',
  language: 'en',
  image: {
    // No image file came with the copy: caption and credit only, no URL.
    caption: 'Citizens of Central Asian countries are fleeing Russia (illustrative photo)',
    credit: '© Telegram',
  },
  body: `
Recent terrorist attacks at Crocus City Hall near Moscow have resulted in significant delays at border crossings between Russia and Kazakhstan. In response, many citizens from Central Asian countries such as Tajikistan, Uzbekistan, and Kyrgyzstan are leaving Russia, driven by fears of escalating violence. The authorities have been criticized for their inaction in protecting these innocent immigrants.

Citizens from Central Asian nations including Tajikistan, Turkmenistan, Uzbekistan, Kyrgyzstan, and Kazakhstan are exiting Russia in large numbers. This mass exodus is attributed to a surge in racism and hostility towards Asian individuals and Muslims, intensified by a terrorist attack linked to an Islamic State group from Tajikistan.

The issue extends beyond verbal and physical assaults to systemic changes within Russia post-attack. Asians are now indiscriminately viewed as potential terrorists by some, leading to widespread checks in public and private spaces.

Moreover, several regions have imposed restrictions on employing foreigners. These measures have significantly impacted individuals who came to Russia seeking employment and a better life than in their native lands.

Walentina Chup, a migrant lawyer, informed Mediazona journalists that she has received 2,500 requests from individuals ready to leave Russia. Many express concerns over the heightened racism and scrutiny from authorities.

> "I advise them to avoid mosques and, if possible, shopping and entertainment centers for now. A group from Tajikistan sought my help for safe lodging as they feel unsafe in their hostel," Chup shared in an interview with the independent outlet Mediazona.

According to the Central Asian University, nearly 10.5 million migrants from Central Asia reside in Russia. It is believed many are undocumented; however, their role as affordable labor has historically shielded them from scrutiny. The recent attack, though, has shifted perceptions significantly.

Annually, Russian authorities embark on extensive anti-immigrant initiatives, resulting in numerous raids at Central Asian businesses, mosques, and community centers. BBC reports indicate that last year's operations led to over 15,000 migrants being deported.

Vladimir Putin's administration has considered drafting migrants into the military for deployment in Ukraine. However, with many preparing to leave Russia, it's unclear who the Kremlin will target next.
`,
})
