"""Synthetic modern messages of both labels, generated from this project's own templates.

Why: the public corpora pair old legitimate mail (2002 mailing lists, 2009-13 government mail, old
SMS chat) with modern scams, so a model trained on them learns "modern and commercial = scam" and
flags receipts, one-time codes, statements and bookings. This generator writes modern messages of
BOTH labels with the same surface machinery (brands, greetings, sign-offs, amounts, links, reference
numbers, phone numbers), so the only thing that separates the labels is the sender's intent: asking
for money, credentials or urgent action through an odd channel, versus informing.

Every template and word list here was written for this project (no text is copied from any corpus or
website), so the generated data carries the project's own licence. `generate` is deterministic for a
seed: it uses one `random.Random(seed)` and no global state.

Template syntax: `{name}` is a fill (see `Fills`), `<<a|b|c>>` picks one choice, `[[...]]` is an
optional part (kept half the time), and a paragraph that starts with `~` may swap places with the
other `~` paragraphs of the same message.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass, field
from datetime import date, timedelta

SOURCE = "synthetic_modern"
LEGIT_SHARE = 0.55

# ---------------------------------------------------------------- word lists


def split(text: str, sep: str = "|") -> tuple[str, ...]:
    return tuple(text.split(sep))


FIRST = split(
    "Oliver Amelia Jack Isla Harry Ava George Mia Noah Grace Leo Freya Liam Emma Mason Olivia Ethan Sophia "
    "Lucas Chloe Aarav Priya Rohan Ananya Vikram Sneha Arjun Kavya Wei Mei Hiroshi Yuki Min-jun Seo-yeon "
    "Mateo Sofia Diego Lucia Chidi Amara Kwame Ama Tunde Zainab Omar Layla Youssef Fatima Lars Ingrid "
    "Pieter Sanne Luca Giulia Jakub Zofia Sean Aoife Connor Siobhan Jamal Keisha Ethan Madison Tyler "
    "Brooke Hannah Jacob Charlotte Ruby Archie Daniel Sarah David Rachel Tom Kate Ben Lucy Sam Jess", " ")
LAST = split(
    "Smith Jones Taylor Brown Williams Wilson Evans Thomas Roberts Walker Patel Sharma Singh Gupta Iyer "
    "Khan Ahmed Chen Wang Li Tanaka Sato Kim Park Nguyen Garcia Martinez Lopez Rossi Bianchi Müller "
    "Schmidt de Vries Jansen Kowalski Nowak Murphy Kelly O'Brien Okafor Mensah Adeyemi Haddad Hassan "
    "Johnson Miller Davis Anderson Clarke Hughes Edwards Campbell MacDonald Fraser Novak Larsen Berg", " ")
CITIES = {
    "uk": split("London|Manchester|Leeds|Bristol|Glasgow|Edinburgh|Cardiff|Birmingham|Norwich|Belfast"),
    "us": split("New York|Chicago|Austin|Seattle|Denver|Boston|Atlanta|Phoenix|San Diego|Columbus"),
    "in": split("Mumbai|Bengaluru|Delhi|Pune|Chennai|Hyderabad|Kolkata|Jaipur|Kochi"),
    "au": split("Sydney|Melbourne|Brisbane|Perth|Adelaide|Hobart|Canberra|Gold Coast"),
    "eu": split("Dublin|Cork|Berlin|Amsterdam|Paris|Madrid|Lisbon|Milan|Galway|Rotterdam"),
    "ca": split("Toronto|Vancouver|Montreal|Calgary|Ottawa|Halifax|Winnipeg"),
}
COMPANIES = split(
    "Northwind Ltd|Brightline Analytics|Harbour & Finch|Kestrel Logistics|Bluepeak Software|Maple Row "
    "Consulting|Orchard Health|Tidewater Engineering|Greenfield Foods|Copperleaf Media|Summit Dental "
    "Group|Ironbridge Legal|Lumen Design Studio|Riverstone Property|Atlas Freight|Pinecrest Schools Trust"
)
SUPPLIERS = split(
    "Office Direct|CloudNest Hosting|Apex Cleaning Services|Meridian Print|Fastlane Couriers|Vertex IT "
    "Support|Greenleaf Catering|Sterling Accountancy|Nova Security Systems|Brookside Stationery|"
    "Clearview Windows|Redline Electrical"
)
ITEMS = split(
    "wireless earbuds|USB-C charger|running shoes|coffee beans 1kg|desk lamp|phone case|yoga mat|"
    "kids' raincoat|LEGO set|paperback novel|air fryer|bed sheets (double)|HDMI cable|printer ink|"
    "water bottle|winter jacket|dog food 12kg|vitamin D tablets|board game|garden hose|"
    "mechanical keyboard|baby wipes x6|face moisturiser|school shoes|electric toothbrush heads"
)
LOCAL_SHOPS = split("Costa Coffee|Shell|Starbucks|Uber|Pret A Manger|Sainsbury's|7-Eleven|Woolworths|Netflix|"
               "Steam|Spotify|McDonald's|Swiggy|Zomato|Circle K|Trainline|Airbnb|Temu")
DRINKS = split("flat white|oat latte|pint|tea|hot chocolate|iced coffee|glass of red")
FOODS = split("pizza|curry|tacos|lasagne|stir fry|roast chicken|fish and chips|sushi|pasta|burgers")
PLACES = split("the station|school|the gym|Tesco car park|the usual spot|the front entrance|work|the airport")
TOPICS = split(
    "Q3 budget|website relaunch|onboarding plan|supplier review|sprint planning|board pack|"
    "marketing calendar|office move|hiring plan|security audit|customer survey results|pricing update"
)
DOCS = split(
    "contract draft v3|Q2 report|project proposal|policy update|slide deck|risk register|"
    "tender response|job description|meeting minutes|case study"
)
CRYPTO = split("Bitcoin|USDT|Ethereum|Solana|XRP")
GIFTCARDS = split("Apple|Google Play|Amazon|Steam|Target|iTunes")

REGIONS = ("uk", "us", "in", "au", "eu", "ca")
CURRENCY = {"uk": "£", "us": "$", "in": "₹", "au": "A$", "eu": "€", "ca": "C$"}
RATE = {"uk": 1.0, "us": 1.25, "in": 100.0, "au": 1.9, "eu": 1.15, "ca": 1.7}
SHORTENERS = ("bit.ly", "tinyurl.com", "t.ly", "is.gd", "rb.gy", "cutt.ly", "shorturl.at")
NAME_SUFFIXES = ("-uk", "-us", "-help", "24", "-online", "-care")
ODD_TLDS = ("com", "net", "info", "top", "xyz", "online", "site", "live", "co", "cc", "help", "support",
            "icu", "vip", "click")


@dataclass(frozen=True)
class Brand:
    name: str
    domain: str
    region: str  # one of REGIONS, or "*" for international brands


def brands(spec: str) -> tuple[Brand, ...]:
    """`Name/domain/region; ...` -> brands."""
    out = []
    for item in spec.split(";"):
        name, domain, region = (part.strip() for part in item.split("/"))
        out.append(Brand(name, domain, region))
    return tuple(out)


BANKS = brands(
    "Barclays/barclays.co.uk/uk; HSBC/hsbc.co.uk/uk; Lloyds Bank/lloydsbank.com/uk; NatWest/natwest.com/uk;"
    "Monzo/monzo.com/uk; Santander/santander.co.uk/uk; Nationwide/nationwide.co.uk/uk;"
    "Chase/chase.com/us; Bank of America/bankofamerica.com/us; Wells Fargo/wellsfargo.com/us;"
    "Capital One/capitalone.com/us; Citi/citi.com/us; HDFC Bank/hdfcbank.com/in; ICICI Bank/icicibank.com/in;"
    "SBI/onlinesbi.sbi/in; Commonwealth Bank/commbank.com.au/au; ANZ/anz.com.au/au; "
    "Westpac/westpac.com.au/au;"
    "Revolut/revolut.com/eu; N26/n26.com/eu; AIB/aib.ie/eu; Bank of Ireland/bankofireland.com/eu;"
    "RBC/rbcroyalbank.com/ca; TD/td.com/ca; Scotiabank/scotiabank.com/ca; American "
    "Express/americanexpress.com/*"
)
OTP = BANKS[::3] + brands(
    "Google/google.com/*; Microsoft/microsoft.com/*; Apple/apple.com/*; WhatsApp/whatsapp.com/*;"
    "Amazon/amazon.com/*; PayPal/paypal.com/*; Uber/uber.com/*; Airbnb/airbnb.com/*; "
    "Steam/steampowered.com/*;"
    "Discord/discord.com/*; Coinbase/coinbase.com/*; Netflix/netflix.com/*; Instagram/instagram.com/*;"
    "LinkedIn/linkedin.com/*; Paytm/paytm.com/in; Wise/wise.com/*; GitHub/github.com/*; "
    "Dropbox/dropbox.com/*;"
    "Deliveroo/deliveroo.co.uk/uk; Venmo/venmo.com/us; PhonePe/phonepe.com/in; Myki/ptv.vic.gov.au/au;"
    "Telegram/telegram.org/*; Xero/xero.com/*; Okta/okta.com/*; Binance/binance.com/*"
)
SHOPS = brands(
    "Amazon/amazon.co.uk/uk; Tesco/tesco.com/uk; Argos/argos.co.uk/uk; John Lewis/johnlewis.com/uk;"
    "ASOS/asos.com/uk; Boots/boots.com/uk; Currys/currys.co.uk/uk; Marks & Spencer/marksandspencer.com/uk;"
    "Best Buy/bestbuy.com/us; Target/target.com/us; Walmart/walmart.com/us; Etsy/etsy.com/*; eBay/ebay.com/*;"
    "IKEA/ikea.com/*; Zara/zara.com/*; Flipkart/flipkart.com/in; Myntra/myntra.com/in; JB "
    "Hi-Fi/jbhifi.com.au/au;"
    "Kmart/kmart.com.au/au; Bunnings/bunnings.com.au/au; Zalando/zalando.ie/eu; Decathlon/decathlon.com/*;"
    "Uniqlo/uniqlo.com/*; Canadian Tire/canadiantire.ca/ca; Uber Eats/ubereats.com/*; Apple/apple.com/*;"
    "Nike/nike.com/*; Sephora/sephora.com/*; Lidl/lidl.co.uk/uk; Costco/costco.com/us"
)
CARRIERS = brands(
    "Royal Mail/royalmail.com/uk; DPD/dpd.co.uk/uk; Evri/evri.com/uk; Parcelforce/parcelforce.com/uk;"
    "UPS/ups.com/*; FedEx/fedex.com/*; DHL/dhl.com/*; USPS/usps.com/us; Australia Post/auspost.com.au/au;"
    "Canada Post/canadapost-postescanada.ca/ca; An Post/anpost.com/eu; PostNL/postnl.nl/eu;"
    "Blue Dart/bluedart.com/in; India Post/indiapost.gov.in/in; Amazon Logistics/amazon.com/*;"
    "Yodel/yodel.co.uk/uk; Sendle/sendle.com/au; Purolator/purolator.com/ca"
)
UTILITIES = brands(
    "British Gas/britishgas.co.uk/uk; Octopus Energy/octopus.energy/uk; EDF/edfenergy.com/uk; EE/ee.co.uk/uk;"
    "Vodafone/vodafone.co.uk/uk; Virgin Media/virginmedia.com/uk; Thames Water/thameswater.co.uk/uk;"
    "BT/bt.com/uk; Verizon/verizon.com/us; AT&T/att.com/us; Xfinity/xfinity.com/us; T-Mobile/t-mobile.com/us;"
    "Con Edison/coned.com/us; Airtel/airtel.in/in; Jio/jio.com/in; Tata Power/tatapower.com/in;"
    "Telstra/telstra.com.au/au; Optus/optus.com.au/au; Origin Energy/originenergy.com.au/au;"
    "Electric Ireland/electricireland.ie/eu; Eir/eir.ie/eu; Rogers/rogers.com/ca; Hydro One/hydroone.com/ca"
)
SUBSCRIPTIONS = brands(
    "Netflix/netflix.com/*; Spotify/spotify.com/*; Disney+/disneyplus.com/*; Adobe/adobe.com/*;"
    "Microsoft 365/microsoft.com/*; iCloud+/apple.com/*; Amazon Prime/amazon.com/*; YouTube "
    "Premium/youtube.com/*;"
    "NordVPN/nordvpn.com/*; Dropbox/dropbox.com/*; Canva/canva.com/*; Audible/audible.com/*;"
    "Duolingo/duolingo.com/*; Norton/norton.com/*; McAfee/mcafee.com/*; PureGym/puregym.com/uk;"
    "The Guardian/theguardian.com/uk; New York Times/nytimes.com/us; Hotstar/hotstar.com/in; "
    "Stan/stan.com.au/au"
)
AIRLINES = brands(
    "British Airways/britishairways.com/uk; easyJet/easyjet.com/uk; Ryanair/ryanair.com/eu; Aer "
    "Lingus/aerlingus.com/eu;"
    "Delta/delta.com/us; United/united.com/us; American Airlines/aa.com/us; Qantas/qantas.com/au;"
    "IndiGo/goindigo.in/in; Air India/airindia.com/in; Air Canada/aircanada.com/ca; KLM/klm.com/eu;"
    "Emirates/emirates.com/*; Jet2/jet2.com/uk; Virgin Atlantic/virginatlantic.com/uk"
)
HOTELS = brands(
    "Booking.com/booking.com/*; Premier Inn/premierinn.com/uk; Travelodge/travelodge.co.uk/uk; "
    "Hilton/hilton.com/*;"
    "Marriott/marriott.com/*; Expedia/expedia.com/*; Airbnb/airbnb.com/*; Hotels.com/hotels.com/*; "
    "IHG/ihg.com/*;"
    "Accor/all.accor.com/*; Taj Hotels/tajhotels.com/in; MakeMyTrip/makemytrip.com/in"
)
TRAINS = brands(
    "Trainline/thetrainline.com/uk; LNER/lner.co.uk/uk; Avanti West Coast/avantiwestcoast.co.uk/uk; "
    "Amtrak/amtrak.com/us;"
    "Eurostar/eurostar.com/eu; Irish Rail/irishrail.ie/eu; IRCTC/irctc.co.in/in; VIA Rail/viarail.ca/ca;"
    "NSW TrainLink/transportnsw.info/au; GWR/gwr.com/uk; Deutsche Bahn/bahn.de/eu"
)
RESTAURANTS = brands(
    "OpenTable/opentable.com/*; Dishoom/dishoom.com/uk; Wagamama/wagamama.com/uk; Nando's/nandos.co.uk/uk;"
    "Resy/resy.com/us; TheFork/thefork.com/eu; Zomato/zomato.com/in; Pizza Express/pizzaexpress.com/uk;"
    "Bottega Rossa/bottegarossa.com/us; The Ivy/ivycollection.com/uk"
)
CINEMAS = brands(
    "Odeon/odeon.co.uk/uk; Vue/myvue.com/uk; Cineworld/cineworld.co.uk/uk; AMC Theatres/amctheatres.com/us;"
    "Regal/regmovies.com/us; PVR INOX/pvrcinemas.com/in; Event Cinemas/eventcinemas.com.au/au;"
    "Hoyts/hoyts.com.au/au; Cineplex/cineplex.com/ca; Everyman/everymancinema.com/uk; "
    "Ticketmaster/ticketmaster.com/*"
)
CAR_HIRE = brands(
    "Enterprise/enterprise.com/*; Hertz/hertz.com/*; Avis/avis.com/*; Europcar/europcar.com/*; "
    "Sixt/sixt.com/*;"
    "Budget/budget.com/*; Zipcar/zipcar.com/*; Turo/turo.com/us"
)
PRACTICES = brands(
    "Riverside Medical Centre/riversidemedical.nhs.uk/uk; Park Lane Surgery/parklanesurgery.nhs.uk/uk;"
    "Bright Smile Dental/brightsmiledental.co.uk/uk; Oakwood Dental Care/oakwooddental.com/us;"
    "Northside Vets/northsidevets.co.uk/uk; Paws & Claws Veterinary/pawsandclaws.com.au/au;"
    "Studio 54 Hair/studio54hair.co.uk/uk; Kim's Hair & Beauty/kimshair.ca/ca; Apollo "
    "Clinic/apolloclinic.com/in;"
    "Harbour Physio/harbourphysio.ie/eu; Greenway Family Practice/greenwayfp.com/us; "
    "Specsavers/specsavers.co.uk/uk;"
    "Boots Opticians/boots.com/uk; The Barber Room/thebarberroom.com.au/au; CityCare "
    "Dental/citycaredental.in/in"
)
CHARITIES = brands(
    "Oxfam/oxfam.org.uk/uk; British Red Cross/redcross.org.uk/uk; UNICEF/unicef.org/*; WWF/wwf.org.uk/*;"
    "Cancer Research UK/cancerresearchuk.org/uk; Médecins Sans Frontières/msf.org/*; Save the "
    "Children/savethechildren.org/*;"
    "RSPCA/rspca.org.uk/uk; St Jude/stjude.org/us; Feeding America/feedingamerica.org/us; "
    "GiveIndia/giveindia.org/in;"
    "Barnardos/barnardos.ie/eu; Beyond Blue/beyondblue.org.au/au; Crisis/crisis.org.uk/uk; "
    "Mind/mind.org.uk/uk"
)
COMMUNITY = brands(
    "St Mary's Primary School/stmarys-primary.org.uk/uk; Northside Running Club/northsiderunners.org/uk;"
    "Parkview Residents' Association/parkviewresidents.org/uk; Hillcrest High School/hillcresthigh.org/us;"
    "Riverside Tennis Club/riversidetennis.com.au/au; Greenfield Library/greenfieldlibrary.org/us;"
    "Elm Road Allotments/elmroadallotments.org.uk/uk; Lakeside Cricket Club/lakesidecc.in/in;"
    "St Brigid's GAA/stbrigidsgaa.ie/eu; Maple Grove Scouts/maplegrovescouts.ca/ca; Sunnydale "
    "Nursery/sunnydalenursery.co.uk/uk;"
    "Westfield Choir/westfieldchoir.org/uk; Harbour Swim Club/harbourswim.org.au/au"
)
WORK_TOOLS = brands(
    "Microsoft 365/microsoft.com/*; SharePoint/sharepoint.com/*; DocuSign/docusign.com/*; Google "
    "Workspace/google.com/*;"
    "Dropbox/dropbox.com/*; Adobe Acrobat Sign/adobe.com/*; OneDrive/onedrive.live.com/*; "
    "Outlook/outlook.com/*;"
    "Zoom/zoom.us/*; Slack/slack.com/*"
)
TAX = brands("HMRC/gov.uk/uk; IRS/irs.gov/us; ATO/ato.gov.au/au; CRA/canada.ca/ca; Income Tax "
             "Department/incometax.gov.in/in;"
             "Revenue/revenue.ie/eu")
TOLLS = brands(
    "E-ZPass/e-zpassny.com/us; SunPass/sunpass.com/us; FasTrak/bayareafastrak.org/us; TfL Congestion "
    "Charge/tfl.gov.uk/uk;"
    "Dart Charge/gov.uk/uk; Linkt/linkt.com.au/au; eFlow/eflow.ie/eu; 407 ETR/407etr.com/ca; "
    "FASTag/ihmcl.co.in/in"
)
SECURITY = brands(
    "Norton/norton.com/*; McAfee/mcafee.com/*; Geek Squad/geeksquad.com/us; Microsoft/microsoft.com/*;"
    "Apple/apple.com/*; Windows Defender/microsoft.com/*; Avast/avast.com/*; PayPal/paypal.com/*; "
    "Amazon/amazon.com/*"
)
CRYPTO_BRANDS = brands("Coinbase/coinbase.com/*; Binance/binance.com/*; Kraken/kraken.com/*; "
                       "Crypto.com/crypto.com/*;"
                       "eToro/etoro.com/*; Trust Wallet/trustwallet.com/*")
JOB_BRANDS = brands("Amazon/amazon.com/*; TikTok/tiktok.com/*; YouTube/youtube.com/*; Indeed/indeed.com/*;"
                    "LinkedIn/linkedin.com/*; Booking.com/booking.com/*; Temu/temu.com/*; Reed/reed.co.uk/uk")
PRIZES = SHOPS[::2] + brands("Costco/costco.com/us; Lidl/lidl.co.uk/uk; Walmart/walmart.com/us; "
                             "Aldi/aldi.co.uk/uk")
PERSONAL = brands("Family/none/*")

# ---------------------------------------------------------------- shared surface parts

GREETINGS = {
    "brand": ("Hi {first},", "Hello {first},", "Dear {first} {last},", "Dear customer,", "Hello,",
              "Hi there,", "Dear {title} {last},", "{first},", "Good <<morning|afternoon>> {first},",
              "Dear valued customer,", "Hi {first} 👋"),
    "work": ("Hi {first},", "Hello {first},", "Dear {first},", "Hi all,", "Morning {first},", "Hi team,",
             "{first} -", "Dear {title} {last},", "Hey {first},", "Good afternoon,"),
    "anon": ("Hello,", "Hi {first},", "Dear friend,", "{first},", "Attention:"),
    "personal": ("Hi {first}!", "Hey {first},", "Hi love,", "Hiya,", "Hello darling,", "Hey you,", "{first}!",
                 "Hi,", "Hey hun,"),
}
SIGNOFFS = {
    "brand": ("Thanks,\nThe {brand} team", "Kind regards,\n{brand} Customer Service", "Best wishes,\n{brand}",
              "Regards,\n{brand} Support", "Thank you for choosing {brand}.", "Warm regards,\nTeam {brand}",
              "Sincerely,\n{brand} Customer Care", "— {brand}", "Cheers,\nEveryone at {brand}",
              "Many thanks,\n{sender_first} {sender_last}\n{brand} Customer Support"),
    "work": ("Thanks,\n{sender_first}", "Best,\n{sender_first} "
                                        "{sender_last}", "Kind regards,\n{sender_first} {sender_last}"
             "\n{job_title} | {company}", "Cheers,\n{sender_first}", "Regards,\n{sender_first}",
             "Thanks in advance,\n{sender_first} {sender_last}", "Many thanks\n{sender_first}",
             "Best regards,\n{sender_first} {sender_last}\n{company}\n{phone}", "Sent from my iPhone"),
    "anon": ("Regards", "{sender_first}", "Yours faithfully,\n{sender_first} {sender_last}", "Good luck."),
    "personal": ("Love, {sender_first} x", "xx", "Speak soon!", "{sender_first}", "Love you lots",
                 "Talk later x", "See you soon,\n{sender_first}", "Hugs,\n{sender_first}"),
}
FOOTERS = {
    "brand": ("You are receiving this e-mail because you have an account with {brand}. Manage your "
              "preferences at {url}.",
              "© {year} {brand}. All rights reserved. Please do not reply to this e-mail.",
              "This is an automated message. Replies to this address are not monitored.",
              "{brand} | Privacy policy | Terms of use | Help centre",
              "Need help? Visit our help centre or call us on {phone}.",
              "To stop receiving these messages, unsubscribe here: {url}"),
    "work": ("This e-mail and any attachments are confidential and intended solely for the addressee.",
             "Please consider the environment before printing this e-mail.",
             "{company} | Registered office: {street}, {city}"),
    "personal": ("Sent from my iPhone", "Sent from Outlook for Android"),
    "anon": ("This message is confidential.",),
}
JOB_TITLES = split("Finance Manager|Operations Lead|Account Manager|Office Manager|Head of Sales|Project "
                   "Manager|"
              "IT Service Desk|Procurement Officer|HR Advisor|Managing Director|Payroll Administrator")
STREETS = split("12 High Street|4 Station Road|88 Queen Street|1 Market Square|23 Mill Lane|7 Harbour View|"
           "150 King Street|9 Church Road|31 Victoria Avenue|5 Park Place")
TITLES = ("Mr", "Ms", "Mrs", "Dr", "Mx")
RELATIVES = ("Mum", "Dad", "Mom", "Mam", "Mummy", "Mother", "Papa")


# ---------------------------------------------------------------- message kinds


@dataclass(frozen=True)
class Kind:
    """One kind of message: its label, voice, brands, amount range and templates per channel."""

    name: str
    label: str
    style: str  # greeting/sign-off voice: brand, work or personal
    brands: tuple[Brand, ...]
    sms: tuple[str, ...] = ()
    email: tuple[tuple[str, str], ...] = ()  # (subject, body)
    amount: tuple[float, float] = (5.0, 120.0)
    paths: tuple[str, ...] = ("account", "help", "account/overview")
    words: tuple[str, ...] = ("secure", "verify", "account", "support")  # scam domain words
    channels: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        channels = tuple(c for c, t in (("sms", self.sms), ("email", self.email)) if t)
        object.__setattr__(self, "channels", channels)



# ---------------------------------------------------------------- fills

CHOICE = re.compile(r"<<([^<>]*)>>")
OPTIONAL = re.compile(r"\[\[((?:(?!\[\[|\]\]).)*)\]\]", re.DOTALL)
FILL = re.compile(r"\{(\w+)\}")
MONTHS = split("January February March April May June July August September October November December", " ")
WEEKDAYS = split("Monday Tuesday Wednesday Thursday Friday Saturday Sunday", " ")
REF_SHAPES = ("AA9999999", "#9999-99999", "999-9999999-9999999", "XXXXXX", "AAA-99999", "9999999999",
              "AA-9999-XXXX", "99999999", "#999999", "A9999999")
PHONES = {"uk": ("0800 ### ####", "0345 ### ####", "+44 7### ######", "0330 ### ####", "0161 ### ####"),
          "us": ("1-800-###-####", "+1 (###) ###-####", "(888) ###-####", "1-844-###-####"),
          "in": ("1800 ### ####", "+91 9#### #####", "1860 ### ####", "+91 80 #### ####"),
          "au": ("1300 ### ###", "+61 4## ### ###", "13 ## ##", "(02) #### ####"),
          "eu": ("+353 1 ### ####", "+49 30 ########", "+31 20 ### ####", "1800 ### ###",
                 "+33 1 ## ## ## ##"),
          "ca": ("1-888-###-####", "+1 (416) ###-####", "1-866-###-####", "+1 (604) ###-####")}
MOBILES = ("07### ######", "+44 7### ### ###", "+1 ###-###-####", "+61 4## ### ###", "+91 9#### #####",
           "+353 8# ### ####", "+234 80# ### ####", "+63 9## ### ####", "+44 7### ######")
INVOICE_SHAPES = ("INV-2026-9999", "INV99999", "9999/26", "SI-999999")
TRACKING_SHAPES = ("AA999999999GB", "1Z999X99999999999X", "9999 9999 9999", "JD99999999999999999",
                   "H99XXX9999999999", "999999999999", "AA999999999AA")
FILMS = split("The Long Night|Paper Moons|Starfall|Midnight Express 2|The Quiet Orchard|Harbour Lights|"
         "Velocity|The Last Lantern|Northern Skies|Tiny Giants")
PETS = split("Bella|Max|Luna|Charlie|Milo|Daisy|Rocky|Coco|Teddy|Poppy")


def shaped(rng: random.Random, shape: str) -> str:
    """A = capital letter, 9 or # = digit, X = letter or digit; anything else is kept."""
    pools = {"A": string.ascii_uppercase, "9": string.digits, "#": string.digits,
             "X": string.ascii_uppercase + string.digits}
    return "".join(rng.choice(pools[c]) if c in pools else c for c in shape)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower()) or "account"


class Fills(dict):
    """The fills of one message, made on first use so every `{brand}` of a message agrees."""

    def __init__(self, rng: random.Random, kind: Kind) -> None:
        super().__init__()
        self.rng, self.kind = rng, kind
        self.brand_obj = rng.choice(kind.brands)

    def __missing__(self, key: str) -> str:
        value = expand(getattr(self, "f_" + key)(), self)
        self[key] = value
        return value

    def pick(self, items):
        return self.rng.choice(items)

    # people and places
    def f_first(self): return self.pick(FIRST)
    def f_last(self): return self.pick(LAST)
    def f_title(self): return self.pick(TITLES)
    def f_sender_first(self): return self.pick([n for n in FIRST if n != self["first"]])
    def f_sender_last(self): return self.pick(LAST)
    def f_relative(self): return self.pick(RELATIVES)
    def f_city(self): return self.pick(CITIES[self["region"]])
    def f_street(self): return self.pick(STREETS)
    def f_company(self): return self.pick(COMPANIES)
    def f_supplier(self): return self.pick(SUPPLIERS)
    def f_job_title(self): return self.pick(JOB_TITLES)
    def f_shop(self): return self.pick((*(b.name for b in SHOPS), *LOCAL_SHOPS))
    def f_item(self): return self.pick(ITEMS)
    def f_item2(self): return self.pick([i for i in ITEMS if i != self["item"]])
    def f_drink(self): return self.pick(DRINKS)
    def f_food(self): return self.pick(FOODS)
    def f_place(self): return self.pick(PLACES)
    def f_topic(self): return self.pick(TOPICS)
    def f_doc(self): return self.pick(DOCS)
    def f_crypto(self): return self.pick(CRYPTO)
    def f_giftcard(self): return self.pick(GIFTCARDS)
    def f_film(self): return self.pick(FILMS)
    def f_pet(self): return self.pick(PETS)
    def f_greeting(self): return self.pick(GREETINGS[self.kind.style])
    def f_signoff(self): return self.pick(SIGNOFFS[self.kind.style])
    def f_footer(self): return self.pick(FOOTERS[self.kind.style])

    # brand and region
    def f_brand(self): return self.brand_obj.name
    def f_domain(self): return self.brand_obj.domain

    def f_region(self):
        region = self.brand_obj.region
        return self.pick(REGIONS) if region == "*" else region

    def f_sender_email(self):
        return f"{self['sender_first'].lower()}.{slug(self['sender_last'])}@{slug(self['company'])[:12]}.com"

    def f_odd_email(self):
        who = self.pick((slug(self["brand"]) + ".support", "billing." + slug(self["brand"]),
                         self["sender_first"].lower() + str(self.rng.randint(1, 999)), "helpdesk-team"))
        return who + "@" + self.pick(("gmail.com", "outlook.com", "proton.me", "yahoo.com", "mail.ru",
                                      slug(self["brand"]) + "-help." + self.pick(ODD_TLDS)))

    # money
    def money(self, low: float, high: float) -> str:
        region = self["region"]
        value = self.rng.uniform(low, high) * RATE[region]
        if region == "in":
            return f"₹{round(value):,}"
        if self.rng.random() < 0.15:
            value = round(value)
        text = f"{value:,.2f}"
        return f"{text} EUR" if region == "eu" and self.rng.random() < 0.3 else CURRENCY[region] + text

    def f_amount(self): return self.money(*self.kind.amount)
    def f_amount2(self): return self.money(*self.kind.amount)
    def f_fee(self): return self.money(0.5, 4.99)
    def f_big_amount(self): return self.money(900, 48000)
    def f_percent(self): return str(self.pick((2, 3, 5, 8, 10, 12, 15, 20, 25, 30, 40)))
    def f_card4(self): return shaped(self.rng, "9999")

    # codes and references
    def f_code(self): return shaped(self.rng, "9" * self.rng.randint(4, 8))
    def f_otp(self): return self.pick((shaped(self.rng, "999999"), shaped(self.rng, "999-999"),
                                       shaped(self.rng, "9999"), shaped(self.rng, "99999999")))
    def f_ref(self): return shaped(self.rng, self.pick(REF_SHAPES))
    def f_order(self): return shaped(self.rng, self.pick(REF_SHAPES))
    def f_tracking(self): return shaped(self.rng, self.pick(TRACKING_SHAPES))
    def f_invoice(self): return shaped(self.rng, self.pick(INVOICE_SHAPES))
    def f_pnr(self): return shaped(self.rng, self.pick(("AAAAAA", "XXXXXX", "A9AAA9")))
    def f_ticket(self): return shaped(self.rng, self.pick(("INC9999999", "#99999", "REQ-999999", "TKT-9999")))
    def f_flight(self): return shaped(self.rng, self.pick(("AA 999", "AA9999", "A9 999")))
    def f_seat(self): return shaped(self.rng, "99") + self.pick("ABCDEF")
    def f_mins(self): return str(self.pick((5, 10, 15, 20, 25, 30, 40, 45)))
    def f_hours(self): return str(self.pick((2, 6, 12, 24, 48, 72)))
    def f_nights(self): return str(self.rng.randint(1, 9))
    def f_guests(self): return str(self.rng.randint(1, 8))
    def f_qty(self): return str(self.rng.randint(1, 4))
    def f_year(self): return str(self.pick((2025, 2026)))

    # time
    def day_obj(self) -> date:
        return date(2025, 1, 1) + timedelta(days=self.rng.randint(0, 540))

    def fmt_date(self, day: date) -> str:
        us = self["region"] == "us"
        month, weekday = MONTHS[day.month - 1], WEEKDAYS[day.weekday()]
        numeric = f"{day.month:02d}/{day.day:02d}" if us else f"{day.day:02d}/{day.month:02d}"
        shapes = [f"{day.day} {month}", f"{weekday[:3]} {day.day} {month[:3]}", day.isoformat(),
                  f"{month} {day.day}, {day.year}", f"{numeric}/{day.year}", f"{weekday} {day.day} {month}"]
        return self.pick(shapes)

    def f_date(self): return self.fmt_date(self.day_obj())
    def f_date2(self): return self.fmt_date(self.day_obj())
    def f_day(self): return self.pick((*WEEKDAYS, "tomorrow", "today", "this weekend", "next week"))

    def f_time(self):
        hour, minute = self.rng.randint(7, 21), self.pick((0, 5, 10, 15, 20, 30, 40, 45, 50))
        if self.rng.random() < 0.5:
            return f"{hour:02d}:{minute:02d}"
        return f"{(hour - 1) % 12 + 1}:{minute:02d}{'am' if hour < 12 else 'pm'}"

    def f_time2(self): return self.f_time()

    # links and numbers
    def f_url(self):
        domain = self["domain"]
        host = domain if domain.count(".") > 1 or self.rng.random() < 0.3 else "www." + domain
        return f"https://{host}/{self.pick(self.kind.paths)}"

    def f_scam_url(self):
        name, word = slug(self["brand"]), self.pick(self.kind.words)
        rand = shaped(self.rng, self.pick(("XXXX", "XXXXXX", "XXXXXXX"))).lower()
        shapes = (f"https://{name}-{word}.{self.pick(ODD_TLDS)}/{rand}",
                  f"http://{word}-{name}.{self.pick(ODD_TLDS)}",
                  f"{self.pick(SHORTENERS)}/{shaped(self.rng, 'XXXXXXX')}",
                  f"{word}.{self.pick(ODD_TLDS)}/{rand}",
                  f"https://{name}.{word}-{rand[:4]}.{self.pick(ODD_TLDS)}/login",
                  f"https://www.{self['domain']}.{rand[:5]}.{self.pick(ODD_TLDS)}/{word}",
                  f"{name}{self.pick(NAME_SUFFIXES)}.{self.pick(ODD_TLDS)}")
        return self.pick(shapes)

    def phone_number(self) -> str:
        return shaped(self.rng, self.pick(PHONES[self["region"]]))

    def f_phone(self): return self.phone_number()
    def f_scam_phone(self): return self.phone_number()

    def f_mobile(self):
        return shaped(self.rng, self.pick(MOBILES))


def expand(template: str, fills: Fills) -> str:
    """Choices, then optional parts (innermost first), then fills."""
    rng = fills.rng
    while CHOICE.search(template):
        template = CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template)
    while OPTIONAL.search(template):
        template = OPTIONAL.sub(lambda m: m.group(1) if rng.random() < 0.5 else "", template)
    return FILL.sub(lambda m: fills[m.group(1)], template)


# ---------------------------------------------------------------- legitimate kinds

BANK_PATHS = ("login", "help/security", "account/statements", "contact-us", "app")
LEGIT = (
    Kind("otp", "legit", "brand", OTP, sms=(
        "{otp} is your {brand} <<verification|security|login|one-time>> code.[[ It expires in {mins} "
        "minutes.]]"
        "[[ Don't share it with anyone.]]",
        "{brand}: Your code is {otp}. <<Never share this code, not even with|Do not give this code to>> "
        "{brand} staff."
        "[[ If you didn't request it, you can ignore this message.]]",
        "Use {otp} to <<sign in to|verify|confirm your>> {brand}<< account|| login>>. [[Valid for {mins} "
        "min. ]]"
        "We will never call you to ask for it.",
        "<#> {brand} code: {otp}[[\n\n{ref}]]",
        "Your {brand} one-time passcode for the payment of {amount} is {otp}.[[ Expires in {mins} min.]] "
        "If this isn't you, do not share it and call {phone}.",
    ), email=(
        ("Your {brand} verification code", "Here is the code you asked for:\n\n{otp}\n\n"
         "[[This code expires in {mins} minutes. ]]If you did not try to sign in, you can ignore this "
         "e-mail; "
         "someone may have typed your address by mistake.[[\n\nFor your security, {brand} will never ask you "
         "for this code by phone or e-mail.]]"),
        ("{otp} is your <<sign-in|login|security>> "
         "code", "Enter {otp} on the {brand} <<sign-in page|app>> to "
         "finish <<signing in|setting up your new device|confirming your e-mail address>>.\n\n"
         "[[~Requested from: {city}, <<Chrome on Windows|Safari on iPhone|Firefox on Linux|the {brand} "
         "app>>\n\n]]"
         "~Didn't ask for this? Your password is still safe; you can change it any time at {url}."),
    ), paths=("security", "account/security", "help/verification-codes")),
    Kind("receipt", "legit", "brand", SHOPS, sms=(
        "{brand}: Thanks for your order {order}! [[{qty} item(s), ]]total {amount}. "
        "<<We'll text you when it ships.|Track it in the app.|Details: {url}>>",
        "Payment received: {amount} to {brand} on {date}. Ref {ref}.[[ Thanks for shopping with us.]]",
        "Your {brand} click & collect order {order} is ready to pick up from our {city} store.[[ "
        "Bring this text and photo ID.]] We'll hold it for <<7|10|14>> days.",
        "{brand}: your refund of {amount} for order {order} has been processed. "
        "It may take 3-5 working days to show.",
    ), email=(
        ("Your {brand} order {order} is confirmed", "Thanks for your order. Here's your receipt.\n\n"
         "Order number: {order}\nOrder date: {date}\n\n{qty} x {item}\n[[1 x {item2}\n]]Total paid: {amount} "
         "(card ending {card4})\n\n[[~Estimated delivery: {date2}\n\n]]~You can view or change your "
         "order at {url}"
         "[[ until it's dispatched]].[[\n\n~Returns are free within 30 days.]]"),
        ("Receipt for your purchase at {brand}", "This is your receipt for {amount}, paid on {date} with "
         "<<Apple Pay|Visa ending {card4}|Mastercard ending {card4}|PayPal|Google Pay>>.\n\n"
         "Item: {item}\nReference: {ref}\n\n[[Keep this e-mail for warranty or returns. ]]"
         "Questions about your order? Reply to this e-mail or see {url}."),
        ("We've received your "
         "return", "We've received the {item} you sent back and your refund of {amount} is on "
         "its way.[[ It can take up to 5 working days to reach your account.]]\n\nReturn reference: {ref}"),
    ), amount=(4, 400), paths=("orders", "your-orders", "account/orders", "help/returns", "myaccount")),
    Kind("delivery", "legit", "brand", CARRIERS, sms=(
        "{brand}: Your parcel {tracking} from {sender_first} {sender_last}<<| Ltd| & Co>> will be delivered "
        "{day} between {time} and {time2}.[[ Track: {url}]]",
        "{brand}: We delivered your parcel at {time}. <<It was left in your safe place.|It was handed to a "
        "neighbour at number <<4|12|17|23>>.|Photo of delivery in the app.>>",
        "Your {brand} driver {sender_first} is <<{mins} minutes away|on the way|3 stops away>>. "
        "[[Parcel {tracking}. ]]Track live: {url}",
        "{brand}: Sorry we missed you today. Your parcel will be taken to your local <<Post Office|depot|"
        "collection point>> for pick-up from {day}. Bring photo ID.[[ No payment is needed.]]",
    ), email=(
        ("Your {brand} parcel is on its "
         "way", "Good news, your parcel {tracking} has left our {city} depot and "
         "is due <<{day}|on {date}>>.\n\n[[~Delivery window: {time} to {time2}\n\n]]~Not going to be in? You "
         "can choose a safe place or a neighbour at {url}[[ - there's no charge for this]]."),
        ("Delivered: your parcel {tracking}", "Your parcel was delivered on {date} at {time}.\n\n"
         "[[Signed for by: {first}\n\n]]If you can't find it, check your safe place first, then contact the "
         "sender.[[ You can see the delivery photo at {url}.]]"),
    ), paths=("track", "track-a-parcel", "receiving/manage-delivery", "en/tracking")),
    Kind("card_alert", "legit", "brand", BANKS, sms=(
        "{brand}: Card ending {card4} was used for {amount} at {shop} on {date}. If this wasn't you, call "
        "the number on the back of your card.",
        "{brand} alert: A payment of {amount} to {shop} was approved.[[ Available balance: {amount2}.]] "
        "Not you? Freeze your card in the app.",
        "{brand}: Your salary of {big_amount} has arrived.[[ Nice!]]",
        "You spent {amount} at {shop}. Your {brand} balance is now {amount2}.",
    ), email=(
        ("Card transaction alert", "A transaction was made on your card ending {card4}.\n\nMerchant: {shop}\n"
         "Amount: {amount}\nDate: {date}, {time}\n\nIf you recognise this payment, you don't need to do "
         "anything. If you don't, please call us using the number on the back of your card or in the {brand} "
         "app.[[ We will never ask you to move money to a safe account.]]"),
        ("Your balance is below <<£100|$100|your "
         "limit>>", "Your account ending {card4} is below the alert limit "
         "you set. Current balance: {amount}.\n\n[[You can change or turn off balance alerts in the app "
         "under Settings > Alerts.]]"),
    ), amount=(2, 260), paths=BANK_PATHS),
    Kind("statement", "legit", "brand", BANKS, sms=(
        "{brand}: Your <<monthly|credit card|account>> statement is ready to view in the app.[[ Minimum "
        "payment "
        "{amount} due {date}.]]",
        "{brand}: A payment of {amount} to your credit card was received on {date}. Thank you.",
    ), email=(
        ("Your {brand} statement is ready", "Your statement for the account ending {card4} is now available "
         "in online banking.\n\n[[^Statement balance: {amount}\n^Minimum payment: {amount2}\n^Due date: "
         "{date}\n\n]]"
         "~To view it, log in to the {brand} app or go to {url} yourself.[[ We won't include a link to "
         "log in.]]"),
        ("Your annual summary from {brand}", "Your {year} annual summary of interest and charges is ready. "
         "It shows the total interest you paid or earned last year.\n\nYou'll find it under Documents in "
         "online banking.[[ You don't need to do anything.]]"),
    ), amount=(20, 900), paths=BANK_PATHS),
    Kind("bill", "legit", "brand", UTILITIES, sms=(
        "{brand}: Your bill for {date} is {amount}. It'll be collected by Direct Debit on or after {date2}."
        "[[ View it in the app.]]",
        "Hi {first}, your {brand} bill is ready: {amount}. [[Autopay is on, so no action is needed. ]]"
        "Details: {url}",
        "{brand}: Thanks, we've received your payment of {amount}.[[ Ref {ref}.]]",
        "{brand}: Time for a meter reading! Submit it by {date} for an accurate bill: {url}",
    ), email=(
        ("Your {brand} bill is ready", "Your latest bill is ready to view.\n\nAccount number: {ref}\n"
         "Amount: {amount}\nPayment date: {date}\n\n[[~You pay by Direct Debit, so there's nothing to "
         "do.\n\n]]"
         "~See the breakdown at {url}.[[\n\n~Tip: you used less than last month. Nice work.]]"),
        ("Your <<tariff|plan>> is changing", "From {date} the price of your {brand} plan will go up by "
         "{percent}% to {amount} a month, as allowed by your contract.[[ We know nobody likes a price rise, "
         "so here's why: our network and energy costs went up this year.]]\n\nYou don't need to do anything. "
         "If you'd like to look at other plans, see {url}."),
    ), amount=(18, 240), paths=("myaccount", "my-account/bills", "account/billing", "bill")),
    Kind("password_reset", "legit", "brand", OTP + WORK_TOOLS, sms=(
        "{brand}: Use {otp} to reset your password. If you didn't ask for this, ignore this message.",
        "Your {brand} password was changed on {date} at {time}. If this was you, you're all set.",
    ), email=(
        ("Reset your {brand} password", "We received a request to reset the password for your {brand} "
         "account.\n\nTo choose a new password, use the link below. It expires in {hours} hours.\n\n{url}\n\n"
         "If you didn't ask to reset your password, you can safely ignore this e-mail; your password won't "
         "change."),
        ("Your password has been changed", "The password for your {brand} account was changed on {date}.\n\n"
         "If you did this, no further action is needed.[[ If you didn't, reset it from the sign-in page and "
         "review your recent activity.]]"),
    ), paths=("reset-password", "account/recovery", "password/reset", "signin/recover")),
    Kind("signin_alert", "legit", "brand", OTP + WORK_TOOLS, sms=(
        "{brand}: New sign-in to your account from <<an iPhone|a Windows PC|a Mac|an Android phone>> in "
        "{city}."
        " If this was you, no action is needed.",
        "{brand}: Your account was accessed from a new device. Not you? Change your password in the app.",
    ), email=(
        ("New sign-in to your {brand} account", "Your {brand} account was just used to sign in on a new "
         "device.\n\n<<Device|Browser>>: <<Chrome on Windows|Safari on macOS|Firefox on Ubuntu|Edge on "
         "Windows|"
         "the {brand} app on Android>>\nLocation: near {city}\nTime: {date}, {time}\n\nIf this was you, you "
         "don't need to do anything. If not, we recommend changing your password and turning on two-step "
         "verification in your account settings."),
        ("Security check-up: <<2 minutes|a quick review>> of your {brand} account", "It's been a while since "
         "you reviewed your security settings. [[A quick check-up helps keep your account safe. ]]"
         "Sign in as usual and open Security to see your devices and recovery options."),
    ), paths=("security", "account/security", "settings/security")),
)

LEGIT += (
    Kind("booking_flight", "legit", "brand", AIRLINES, sms=(
        "{brand}: Check-in is open for flight {flight} to {city} on {date}. Check in at {url}",
        "{brand}: Flight {flight} to {city} departs {time} from gate <<A|B|C|D>>{qty}{qty}. Boarding closes "
        "{mins} minutes before departure.",
        "{brand}: Sorry, flight {flight} is delayed. New departure time {time}.[[ We'll update you here.]]",
    ), email=(
        ("Booking confirmation {pnr} - {city}", "Your flight is booked.\n\nBooking reference: {pnr}\nFlight: "
         "{flight}\nDate: {date}, departs {time}\nPassenger: {first} {last}[[\nSeat: {seat}]]\n\nTotal paid: "
         "{amount}\n\n[[~Online check-in opens 24 hours before departure.\n\n]]~Manage your booking at "
         "{url}."),
        ("Your boarding pass for "
         "{city}", "You're checked in. Your boarding pass for flight {flight} on {date} "
         "is attached and in the app.[[\n\nSeat {seat}, boarding from {time}.]]\n\nHave a great trip!"),
    ), amount=(40, 900), paths=("manage-booking", "trips", "check-in", "my-trips")),
    Kind("booking_hotel", "legit", "brand", HOTELS, sms=(
        "{brand}: Your stay in {city} is confirmed for {date}, {nights} night(s). Booking {pnr}.",
        "{brand}: Check-in from 3pm today at your {city} hotel. [[Your room code will arrive by text. "
        "]]Enjoy!",
    ), email=(
        ("Your booking in {city} is confirmed", "Thanks, {first}! Your reservation is confirmed.\n\n"
         "Confirmation number: {ref}\nCheck-in: {date} from 15:00\nNights: {nights}\nGuests: {guests}\n"
         "Total: {amount}[[ (pay at the property)]]\n\n[[~Free cancellation until 48 hours before "
         "arrival.\n\n]]"
         "~Need to change something? {url}"),
        ("How was your stay in {city}?", "We hope you enjoyed your stay. Would you leave a short review? "
         "It helps other travellers[[ and takes about a minute]].\n\n{url}"),
    ), amount=(60, 1400), paths=("mybooking", "trips", "reservations", "account/bookings")),
    Kind("booking_travel", "legit", "brand", TRAINS + CAR_HIRE, sms=(
        "{brand}: Your e-ticket for {city}, {date} {time}, is in the app. Ref {pnr}.",
        "{brand}: Reminder - your pick-up is {day} at {time}, {city} <<airport|central>> branch. "
        "Bring your licence and the card used to book.",
    ), email=(
        ("Your {brand} booking confirmation", "Booking reference: {pnr}\nDate: {date}\nFrom: {city}\n"
         "Time: {time}\n\nTotal paid: {amount}[[ (card ending {card4})]]\n\n[[~Changes are allowed up to "
         "the day "
         "before travel.\n\n]]~View or manage your booking at {url}."),
        ("Get ready for {date}", "Your trip is coming up.[[ Please arrive {mins} minutes early.]]\n\n"
         "~Reference {pnr}. Questions? See {url} or call {phone}."),
    ), amount=(12, 450), paths=("my-bookings", "reservations", "tickets", "manage")),
    Kind("booking_leisure", "legit", "brand", RESTAURANTS + CINEMAS, sms=(
        "{brand}: Your table for {guests} on {date} at {time} is confirmed. Running late? Let us know.",
        "{brand}: Your tickets for {film}, {day} {time}, screen {qty}. Show this text or the QR code in "
        "the app.",
        "Reminder from {brand}: see you {day} at {time}. Reply C to cancel[[ if plans change]].",
    ), email=(
        ("Reservation confirmed for {date}", "Your reservation is confirmed: {guests} people at {time} on "
         "{date}.[[\n\n~We hold tables for 15 minutes.]][[\n\n~Dietary needs? Reply to this e-mail.]]\n\n"
         "~To change or cancel: {url}"),
        ("Your tickets: {film}", "Booking {ref}\n{film}\n{date}, {time}\nSeats: {seat}[[, {seat}]]\n"
         "Total: {amount}\n\nShow your e-ticket at the door. [[Enjoy the film!]]"),
    ), amount=(8, 120), paths=("bookings", "my-tickets", "reservations")),
    Kind("appointment", "legit", "brand", PRACTICES, sms=(
        "{brand}: Reminder of your appointment on {date} at {time}[[ with <<Dr|Dr|>> {sender_last}]]. "
        "Reply C to cancel or call {phone}.",
        "Hi {first}, {pet} is due <<a booster|a check-up|flea treatment>> at {brand}. Book at {url}",
        "{brand}: Your <<cut & colour|appointment|cleaning|eye test>> is {day} at {time}. See you then!",
    ), email=(
        ("Appointment confirmation", "Your appointment is booked.\n\nWhen: {date}, {time}\nWhere: {brand}, "
         "{street}, {city}\n[[With: {sender_first} {sender_last}\n]]\n[[~Please arrive 10 minutes "
         "early.\n\n]]"
         "~If you can't make it, please tell us at least 24 hours before so we can offer the slot to someone "
         "else."),
        ("Time for your check-up", "Our records show it's been over a year since your last visit.[[ Regular "
         "check-ups help catch problems early.]]\n\nBook online at {url} or call us on {phone}."),
    ), amount=(20, 150), paths=("book", "appointments", "contact")),
    Kind("subscription", "legit", "brand", SUBSCRIPTIONS, sms=(
        "{brand}: Your subscription renews on {date} for {amount}. Manage it in your account settings.",
        "{brand}: Payment of {amount} received. Thanks for being a member!",
        "{brand}: Your free trial ends {day}. After that it's {amount}/month[[ - cancel any time in "
        "Settings]].",
        "{brand}: We've updated your plan to <<Premium|Family|Standard with ads|Annual>> as requested. "
        "[[Your next payment is {amount} on {date}.]]",
    ), email=(
        ("Your {brand} subscription renews soon", "Your plan will renew on {date} and we'll charge {amount} "
         "to your card ending {card4}.\n\n[[~Nothing changes and you don't need to do anything.\n\n]]"
         "~To change or cancel your plan, go to Account in the app or {url}."),
        ("An update to your {brand} price", "From {date}, your plan will cost {amount} a month. This is "
         "the first change to your price in <<a year|two years|a while>>.[[ We keep adding new "
         "features.]]\n\n"
         "If you don't want to continue, you can cancel any time before then in your account settings."),
        ("Your receipt from "
         "{brand}", "Receipt #{ref}\nDate: {date}\nPlan: <<Premium|Family|Individual|Standard>>"
         "\nAmount: {amount}\nPayment: card ending {card4}\n\nThanks for subscribing."),
    ), amount=(3, 25), paths=("account", "account/subscription", "settings/billing")),
    Kind("newsletter", "legit", "brand", SHOPS + SUBSCRIPTIONS[:6], sms=(
        "{brand}: <<Spring|Summer|Autumn|Winter|Weekend>> sale! Up to {percent}% off, ends {day}. "
        "{url} Reply STOP to opt out",
        "{brand}: {first}, you've got {percent}% off your next order with code {pnr}. Shop at {url}. "
        "STOP to end",
    ), email=(
        ("<<New in|Just landed|This week>>: <<our favourites|the edit|fresh picks>> for you", "Hi {first}, "
         "here's what's new this week.\n\n~{item}: now {amount}\n\n~Back in stock: {item2}\n\n[[~Members get "
         "free delivery over {amount2}.\n\n]]Shop now at {url}\n\nYou're receiving this because you "
         "signed up "
         "to {brand} e-mails. Unsubscribe or change your preferences any time: {url}"),
        ("{percent}% off ends "
         "<<tonight|Sunday|soon>>", "Our sale is nearly over.[[ Grab a {item} before it's "
         "gone.]]\n\nSee everything at {url}.\n\nDon't want these e-mails? Unsubscribe at the bottom of "
         "this message or in your account settings."),
    ), paths=("sale", "new-in", "offers", "email-preferences")),
    Kind("charity", "legit", "brand", CHARITIES, sms=(
        "Thank you {first}! Your donation of {amount} to {brand} has been received.[[ Every penny helps.]] "
        "Reply STOP to opt out",
        "{brand}: Thanks for your monthly gift. This year you helped fund <<30 school meals|a water pump|"
        "clinic visits|shelter beds>>.",
    ), email=(
        ("Thank you for your donation", "Thank you for your gift of {amount} on {date}.\n\n[[~Because of "
         "supporters like you we reached <<10,000|25,000|4,000>> families this year.\n\n]]~Your donation "
         "reference is {ref}.[[ If you're a UK taxpayer, Gift Aid adds 25% at no cost to you.]]\n\n"
         "With gratitude,"),
        ("Our impact report for {year}", "Here's what your support made possible this year.[[ We couldn't "
         "do it without you.]]\n\nRead the full report at {url}.\n\nTo stop receiving e-mails, unsubscribe "
         "here: {url}"),
    ), amount=(5, 100), paths=("donate", "impact", "preferences")),
    Kind("community", "legit", "brand", COMMUNITY, sms=(
        "{brand}: Reminder - <<training|rehearsal|the meeting|the trip>> is {day} at {time}. "
        "[[Bring water. ]]Reply if you can't make it.",
        "{brand}: School will close early on {day} at 1:30pm for staff training.[[ After-school club still "
        "runs.]]",
        "{brand}: Subs of {amount} for this term are due by {date}.[[ Pay at the clubhouse or via the app.]]",
    ), email=(
        ("<<Newsletter|Update|Notice>>: {date}", "Dear <<parents and carers|members|residents|all>>,\n\n"
         "~The <<summer fair|AGM|clean-up day|sports day>> is on {date} from {time}.\n\n[[~We still need "
         "volunteers for <<the cake stall|setting up|first aid>>; reply if you can help.\n\n]]~Photos from "
         "last month are on our website: {url}"),
        ("Fixture change for {day}", "Hi everyone, the <<match|game|session>> on {day} is now at {time} "
         "at {city} <<Park|Leisure Centre|Grounds>>.[[ Lifts are being arranged on the group chat.]]"),
    ), amount=(10, 90), paths=("news", "events", "members")),
    Kind("welcome", "legit", "brand", OTP + SHOPS[:10], sms=(
        "Welcome to {brand}, {first}! Your account is ready.[[ Get the app: {url}]]",
    ), email=(
        ("Welcome to {brand}", "Thanks for joining {brand}, {first}.\n\n~Please confirm your e-mail address "
         "so we know it's really you: {url}\n\n[[~Here are three things to try first: set up your profile, "
         "turn on notifications, and explore the help centre.\n\n]]If you didn't create this account, "
         "just ignore this e-mail."),
        ("Confirm your e-mail address", "One more step: confirm that this is your address by clicking the "
         "link below.\n\n{url}\n\nThe link works for {hours} hours.[[ You signed up on {date}.]]"),
    ), paths=("welcome", "verify-email", "confirm", "getting-started")),
)

WORK = brands("Work/none/*")
LEGIT += (
    Kind("work_finance", "legit", "work", WORK, sms=(
        "Hi {first}, your payslip for <<this month|{date}>> is available in the HR portal.[[ - Payroll]]",
        "{first}, PO {invoice} for {amount} is approved - go ahead with {supplier}. {sender_first}",
    ), email=(
        ("Invoice {invoice} from {supplier}", "Please find attached invoice {invoice} for {amount}, for "
         "<<the work in|services in|deliveries in>> <<March|April|May|June|September|October>>.\n\n~Payment "
         "terms are 30 days as usual, to the bank account on file.[[\n\n~PO reference: {ref}]]\n\n"
         "[[Let me know if anything needs changing.]]"),
        ("PO {ref} approved", "I've approved the purchase order for {amount} for {supplier}.[[ It's "
                              "within the "
         "budget we agreed for the {topic}.]] {first}, can you raise it in the system today?"),
        ("Your payslip for <<March|April|May|June|July|August>> is ready", "Your payslip is now available in "
         "the HR portal.[[ Pay day is {date}.]]\n\nIf anything looks wrong, please contact payroll "
         "before the "
         "end of the month."),
        ("Expenses approved", "Your expense claim {ref} for {amount} has been approved and will be paid with "
         "your next salary.[[ Receipts for the {city} trip all looked fine.]]"),
    ), amount=(120, 18000)),
    Kind("work_it", "legit", "work", WORK, sms=(
        "IT: Planned maintenance tonight from {time}. VPN and e-mail may be unavailable for up to "
        "<<30 minutes|an hour|two hours>>.",
        "IT Service Desk: ticket {ticket} <<is resolved|has been updated|is assigned to {sender_first}>>. "
        "[[Reply to the e-mail if it's still not working.]]",
        "Hi {first}, your new laptop is ready to collect from <<IT on floor 2|the front desk|{sender_first}>>"
        "[[ any time after {time}]]. Bring the old one with you.",
        "<<Reminder|Heads up>>: the {city} office Wi-Fi <<password changes|will be down>> {day}. "
        "Details on the intranet[[, no action needed]].",
    ), email=(
        ("[Ticket {ticket}] <<Your request has been updated|Resolved|We're working on it>>", "Hi {first},\n\n"
         "Your ticket about <<the printer on floor 3|your laptop battery|access to the shared drive|"
         "the VPN dropping|a new monitor>> has been updated.[[\n\n~Status: <<In progress|Resolved|Waiting on "
         "parts>>]]\n\n~{sender_first} wrote: <<I've replaced the part, please test and let me know.|"
         "This should be fixed after a restart.|We've ordered it; it should arrive {day}.>>\n\n"
         "[[Reply to this e-mail to add a comment to the ticket.]]"),
        ("Two-step verification is coming on {date}", "Hi all,\n\nFrom {date}, everyone will need "
         "two-step verification to sign in to e-mail and the VPN.\n\n~What happens: the next time you "
         "sign in on or after that date, you'll be asked to set up the authenticator app on your work "
         "phone. It takes about five minutes.\n\n~What you don't need to do: there's no link in this "
         "e-mail and we will never ask for your password or a code by e-mail, text or phone.[[ If "
         "anyone does, report it with the Report button.]]\n\n[[~Drop-in help sessions are in the "
         "{city} office kitchen on {day} from {time}.\n\n]]~Questions? Raise a ticket in the IT portal "
         "as usual."),
        ("Reminder: security training due {date}", "Everyone needs to complete the annual security "
         "awareness module by {date}. It takes about {mins} minutes and is in the learning portal."
         "[[\n\nAs a reminder: IT will never ask for your password.]]"),
    )),
    Kind("work_meeting", "legit", "work", WORK, sms=(
        "{first}, running {mins} mins late to the {topic} meeting, start without me. {sender_first}",
        "Room changed for {time}: now in <<Meeting Room 2|the boardroom|Teams only>>. {sender_first}",
    ), email=(
        ("Invitation: {topic} @ {day} "
         "{time}", "{sender_first} {sender_last} has invited you to a meeting.\n\n"
         "{topic}\nWhen: {date}, {time} - {time2}\nWhere: <<Microsoft Teams|Zoom|Room 4.12|the café>>\n\n"
         "[[~Agenda: quick updates, then decisions on the {topic}.\n\n]]<<Accept|Yes>> / Maybe / No"),
        ("Notes from today's {topic} "
         "meeting", "Thanks all. Quick notes:\n\n^- We agreed to move the deadline to "
         "{date}.\n^- {sender_first} will share the draft by {day}.\n[[^- Budget stays at {amount}.\n]]\n"
         "Shout if I missed anything."),
        ("Summary and actions: {topic}", "Thanks everyone for today. Here's where we landed.\n\n"
         "~Decisions\n^- We go ahead with option <<A|B|2>>, with the smaller scope for phase one.\n^- Budget "
         "capped at {amount} until the review on {date}.\n^- {sender_first} owns the supplier conversation "
         "with {supplier}.\n\n~Actions\n^- {first}: update the plan and timeline by {day}.\n^- "
         "<<Priya|Tom|Kate|Wei>>: check the numbers with finance.\n^- Everyone: add risks to the shared "
         "register.\n\n[[~Open questions\nDo we need legal to look at the contract before signing? I'll "
         "ask.\n\n]]~Next meeting is {date2} at {time}, same link. Shout if I've got anything wrong."),
        ("Can we move our 1:1?", "Something came up on {day}. Could we do {time} instead?[[ Happy to keep it "
         "short.]]"),
    ), amount=(500, 50000)),
    Kind("work_docs", "legit", "work", WORK, sms=(
        "<<Sent you|Shared>> the {doc} for review, <<no rush - end of week is fine|could you look by {day}?|"
        "comments welcome>>.[[ {sender_first}]]",
        "<<Thanks {first}|Cheers|Thanks>>, <<looks good|all fine|approved>>. <<Send it over|Go ahead>> "
        "<<when ready|{day}|after {time}>>.",
        "{first} - <<quick one|FYI>>: the {doc} is in the {topic} folder now.[[ Ping me with questions.]]",
    ), email=(
        ("Review request: "
         "{doc}", "Could you have a look at the {doc} before {day}? I've left comments in the "
         "margin where I'm unsure.[[\n\nIt's in the shared folder under {topic}.]]"),
        ("Re: {doc}", "<<Thanks, looks good.|Looks good to me, thanks!|Great, happy with this.|Thanks - one "
         "small change on page <<2|3|5>>, otherwise fine.>>[[ Let's send it on {day}.]]"),
        ("Re: {topic}", "<<Sounds good|Agreed|Makes sense>>, thanks {first}. [[I'll update the plan. ]]"
         "<<Speak {day}.|See you at the stand-up.|Let's catch up after lunch.>>"),
    )),
    Kind("personal", "legit", "personal", PERSONAL, sms=(
        "Running about {mins} mins late, sorry! <<Order me a {drink}|Start without me|Save me a seat>> x",
        "<<What do you fancy for|What shall we have for|Thinking>> dinner <<tonight|{day}>>? <<I could "
        "do|Maybe>> "
        "{food}[[ - or get a takeaway]]?",
        "Happy birthday {first}!! <<Hope you have the best day|Have an amazing day|Can't believe you're "
        "another "
        "year older>> [[🎉 ]]<<Love you|xx|Drinks on me {day}>>",
        "Can you pick me up from {place} at {time}?[[ Phone's nearly dead.]]",
        "<<Mum|Dad|Gran>> says <<dinner's at|come round at|lunch is at>> {time} {day}[[, bring <<wine|"
        "dessert|the kids>>]]",
        "<<Just|I've>> <<left|leaving>> {place} now, <<home in|there in|back in>> {mins}[[ mins]]. "
        "<<Want anything?|Need anything from the shop?|Put the kettle on!>>",
        "<<Congrats|Congratulations|Well done>> on the <<new job|exam results|engagement|promotion>> "
        "{first}!! <<So proud of you|Knew you'd do it|Let's celebrate {day}>>[[ x]]",
        "<<Don't forget|Reminder>>: <<{sender_first}'s party|parents' evening|the dentist|football>> "
        "<<is at|starts>> {time} {day}.",
        "<<Landed|Home safe|Just got in>>! [[Flight was fine. ]]<<Speak tomorrow|Call you later|Love you>> x",
        "Did you remember to <<buy milk|feed the cat|put the bins out|book the table|call Grandma>>?",
        "{first}, are we still on for {day}? [[{place} at {time}?]]",
        "Sorry I missed your call, in a meeting till {time}. Everything ok?",
    ), email=(
        ("<<Photos from|Pics from>> "
         "{day}", "Here are the photos from the weekend![[ The one of {sender_first} "
         "by the lake is my favourite.]] <<Hope the drive back was ok.|Let's do it again soon.>>"),
        ("<<Christmas|Summer|Easter>> plans", "Mum asked if everyone can come on {date}.[[ I'll do the "
         "{food}.]] Can you let me know by {day}?"),
    )),
)


# ---------------------------------------------------------------- scam kinds

SCAM = (
    Kind("parcel_fee", "scam", "brand", CARRIERS, sms=(
        "{brand}: Your parcel <<is on hold|could not be delivered|is waiting at our depot>> due to an unpaid "
        "<<shipping|customs|redelivery>> fee of {fee}. Pay <<now|within {hours} hours>>: {scam_url}",
        "{brand}: We attempted to deliver your package {tracking} but the address was incomplete. Update it "
        "here: {scam_url}[[ or it will be returned to sender.]]",
        "Final notice: <<a parcel|your item>> for {first} is held at customs. A {fee} fee is required before "
        "{date}. {scam_url}",
        "[[{brand}: ]]Your package has arrived at the warehouse but can't be delivered. Please confirm your "
        "details within 12 hours: {scam_url} [[(reply Y then reopen this message to activate the link)]]",
    ), email=(
        ("Action required: delivery on hold ({tracking})", "We were unable to deliver your parcel {tracking} "
         "because a <<customs duty|handling charge|redelivery fee>> of {fee} has not been paid.\n\n~To "
         "arrange "
         "delivery, please pay the outstanding amount and confirm your address here:\n{scam_url}\n\n"
         "[[~If payment is not received within {hours} hours, your parcel will be returned to the sender.]]"),
        ("Your {brand} shipment: <<address problem|delivery "
         "failed>>", "Your package could not be delivered on "
         "{date} because of an incorrect address.[[ Our driver {sender_first} tried at "
         "{time}.]]\n\nReschedule "
         "your delivery and pay the {fee} fee at {scam_url}."),
    ), words=("redelivery", "reschedule", "parcel-fee", "customs", "track", "delivery-update")),
    Kind("bank_lock", "scam", "brand", BANKS, sms=(
        "{brand}: A payment of {amount} to <<{first} {last}|a new payee>> was attempted from your account. "
        "If this was NOT you, visit {scam_url} to cancel.",
        "{brand}: Your account has been <<temporarily locked|suspended|restricted>> due to unusual activity. "
        "Verify your identity <<now|today>>: {scam_url}",
        "{brand} Fraud Team: did you make a payment of {amount} at {shop}? If not, call us immediately on "
        "{scam_phone}.",
        "{brand}: We've sent you a code to stop a suspicious transfer. Please reply with the code so our "
        "agent "
        "can cancel it.",
        "{brand}: New device added to your account on {date}. Not you? Call {scam_phone} to secure your "
        "funds[[ and move them to a safe account]].",
    ), email=(
        ("<<Urgent|Important>>: unusual activity on your {brand} "
         "account", "We detected a sign-in to your account "
         "from {city} that we could not verify.\n\n~For your protection we have limited your online banking. "
         "To restore full access, confirm your details within {hours} hours:\n\n{scam_url}\n\n"
         "[[~If you do not verify, your card ending {card4} will be permanently blocked.]]"),
        ("<<Important notice|Account review>> ref. {ref}", "As part of our regular security checks we "
         "have noticed irregular activity on your {brand} account, including a sign-in from a device in "
         "{city} and an attempted transfer of {amount}.\n\n~To protect you, some features have been "
         "restricted until you complete a short verification. This takes about 3 minutes:\n\n^1. Go to "
         "{scam_url}\n^2. Sign in with your customer number and passcode\n^3. Confirm your card details "
         "and the one-time code we send you\n\n~If verification is not completed by {date}, your account "
         "will be suspended and pending payments will be returned.[[ Any interest or charges caused by the "
         "suspension will be your responsibility.]]\n\n[[~We apologise for any inconvenience. Your "
         "security is our priority.\n\n]]~Please do not reply to this message."),
        ("Security alert: payment of {amount} on hold", "A payment of {amount} to {shop} is on hold pending "
         "your confirmation.\n\nIf you did not authorise this, call our fraud department now on {scam_phone} "
         "and quote reference {ref}.[[ Do not discuss this call with bank staff in branch, as the fraud may "
         "involve an insider.]]"),
    ), amount=(80, 2400), words=("secure", "verify", "online-banking", "login", "unlock", "alert")),
    Kind("tax_refund", "scam", "brand", TAX, sms=(
        "{brand}: You are eligible for a tax refund of {amount}. Claim before {date}: {scam_url}",
        "{brand}: Our records show an unpaid tax balance of {amount}. Avoid a penalty and arrest warrant by "
        "paying today: {scam_url}",
    ), email=(
        ("Tax refund notification", "After the last annual calculation of your fiscal activity we have "
         "determined that you are eligible to receive a tax refund of {amount}.\n\n~Please submit the tax "
         "refund request and allow 3-5 days to process it:\n{scam_url}\n\n[[~Refunds not claimed by {date} "
         "will be cancelled.]]"),
        ("Final notice: outstanding balance", "You have an outstanding tax balance of {amount}. Legal action "
         "will begin if it isn't settled.\n\nCall {scam_phone} today to arrange payment[[ by gift card or "
         "bank transfer]]. Reference: {ref}."),
    ), amount=(120, 1600), words=("refund", "tax-refund", "claim", "gov-portal", "rebate")),
    Kind("family_new_number", "scam", "personal", PERSONAL, sms=(
        "Hi {relative}, it's me, I dropped my phone in the <<toilet|sink|bath>> so this is my new number. "
        "<<Can you save it and|Could you>> message me on WhatsApp?",
        "Hello {relative} this is my new number, my old phone broke. I need to pay a bill today but my "
        "banking app is locked on the new phone. Can you help? I'll pay you back tomorrow x",
        "{relative} I'm in a bit of trouble, can you send {amount} to my friend's account? I'll explain "
        "later, "
        "I can't talk right now x",
        "Hey {relative}, new number! Can you text me back here? Need a favour[[, it's urgent]]",
        "{relative}? It's me. Phone got <<stolen|smashed|water damaged>> "
        "<<at the gym|on the train|last night>>, using a friend's for now. Can you <<WhatsApp me|text me>> "
        "on this one[[ and delete the old number]]?",
        "Hi {relative} sorry to ask, I'm stuck <<at the shops|in {city}|at uni>> and my card's been blocked. "
        "Could you transfer {amount} to <<my flatmate|this account|my landlord>>? Sort code {otp}, "
        "acc {code}. I'll pay it back <<Friday|next week|tomorrow>> x",
        "<<Hello|Hiya|Hi>> {relative}, it's <<your son|your daughter|me>> on a new number. "
        "<<Are you busy?|Got a minute?|Can I ask you something?>>",
    ), amount=(300, 2500)),
    Kind("job_task", "scam", "brand", JOB_BRANDS, sms=(
        "Hi, I'm {sender_first} from {brand} recruitment. We have a part-time job: like videos from home, "
        "earn {amount} a day. Add me on WhatsApp {mobile}",
        "Your CV was shortlisted! Flexible online work, {hours} hours a day, daily pay {amount}. "
        "Reply YES to learn more.",
        "Hi {first}, {sender_first} here from <<a recruitment agency|{brand} HR|an online marketing firm>>. "
        "<<We got your number from your job application.|Your profile looks great.>> "
        "Earn {amount}-{amount2} a day rating <<apps|hotels|products>> on your phone. Interested?",
        "[[{brand}: ]]Part-time position, <<30|60|90>> minutes a day, no interview. Message "
        "<<our HR|the coordinator|Ms {sender_last}>> on Telegram: @{sender_first}_{code}",
        "[[Hello! ]]We're hiring remote product reviewers for {brand}. No experience needed, paid same day. "
        "Contact {odd_email}",
    ), email=(
        ("Remote position - {amount} per day", "Dear candidate,\n\nYour profile matches an online "
         "<<optimisation|data rating|order boosting>> role with {brand}. You complete simple tasks in "
         "our app "
         "and earn commission.\n\n~To start, deposit a small activation amount of {fee} which is "
         "refunded with "
         "your first salary.[[\n\n~Message our HR manager on Telegram or WhatsApp {mobile}.]]"),
    ), amount=(80, 600), words=("jobs", "careers", "task", "earn")),
    Kind("crypto", "scam", "brand", CRYPTO_BRANDS, sms=(
        "Your {brand} wallet has received {big_amount} in {crypto}. Withdraw before {date}: {scam_url}",
        "{first}, my <<mentor|uncle|analyst>> showed me a {crypto} signal group, I made {big_amount} last "
        "month. Want the link?",
    ), email=(
        ("Recover your lost "
         "{crypto}", "Lost money to a scam? Our certified recovery agents have returned over "
         "{big_amount} to victims.[[ We work with law enforcement.]]\n\nPay a small retainer of {amount} and "
         "we start today. Contact {odd_email}."),
        ("Your {brand} account has a pending {crypto} payout", "A payout of {big_amount} is waiting in your "
         "account. Because of new regulations you must verify your wallet within {hours} hours:\n\n{scam_url}"
         "\n\n[[~Enter your recovery phrase to confirm ownership.]]"),
    ), amount=(150, 900), words=("wallet", "claim", "payout", "recovery", "airdrop")),
    Kind("wrong_number", "scam", "personal", PERSONAL, sms=(
        "Hi {first}, is this still your number? It's {sender_first} from the <<gym|conference|yoga class>>.",
        "Hello, are you free for golf on {day}? [[It's {sender_first}. ]]",
        "Sorry, I think I saved the wrong number. I'm {sender_first}, I run a small <<wine|tea|jewellery>> "
        "business in {city}. Nice to meet you anyway!",
        "Hey, long time no see! Are you still in {city}?",
    ), email=(
        ("Hello from "
         "{city}", "Hi, I found your e-mail on a friend's page. I'm {sender_first}, 34, working as "
         "an engineer abroad.[[ I'm a bit lonely here.]] Would you like to write to me? I'd love to know you "
         "better."),
    )),
    Kind("sextortion", "scam", "anon", brands("Unknown/none/*"), email=(
        ("<<Your account is hacked|Security breach|I know your password>>", "I have bad news for you. A few "
         "months ago I got access to the device you use to browse the internet and recorded you through your "
         "camera.\n\n~I will send the video to all your contacts unless you pay {amount} in Bitcoin to this "
         "address: bc1q{otp}{card4}x7k\n\n~You have {hours} hours. Do not reply, this e-mail cannot be "
         "traced."),
        ("{first}, pay attention", "I know that {code} is one of your passwords. I also have a recording of "
         "you.\n\nSend {amount} worth of Bitcoin and I will delete everything. Otherwise your family and "
         "colleagues will see it."),
    ), amount=(500, 2500)),
    Kind("tech_support", "scam", "brand", SECURITY, sms=(
        "{brand}: Your annual protection plan was renewed for {amount}. To cancel or dispute, call "
        "{scam_phone}.",
        "Virus detected on your <<PC|iPhone|device>>. Your {brand} licence has expired. Call "
        "{scam_phone} now to avoid data loss.",
        "{brand}: Your order of {item} for {amount} will be dispatched today. Not you? Call {scam_phone} "
        "<<to cancel|for a refund|immediately>>.",
        "Dear {first}, {amount} will be debited for your {brand} <<auto-renewal|annual plan|Geek support>>. "
        "To stop it call {scam_phone}[[ within 24 hours]].",
    ), email=(
        ("Invoice {invoice}: {brand} "
         "renewal", "Thank you for renewing your {brand} Total Protection plan.\n\n"
         "Invoice: {invoice}\nAmount charged: {amount}\nDate: {date}\n\n~The charge will appear on your "
         "statement in 24 hours. If you did not authorise this renewal, call our billing desk on "
         "{scam_phone} "
         "to get a refund.[[\n\n~Our technician will need remote access to process it.]]"),
        ("<<Payment receipt|Subscription confirmation|Auto-renewal successful>> #{invoice}", "Dear {first},"
         "\n\nThank you for your continued trust in {brand}. Your <<Total Security|Premium Protection|"
         "Device Care>> plan has been renewed automatically for another year.\n\n~Order summary\n"
         "Product: {brand} <<Total Security|Premium Protection|Device Care>> (<<3|5|10>> devices)\n"
         "Invoice number: {invoice}\nAmount: {amount}\nPayment method: auto-debit\nRenewal date: {date}"
         "\n\n~If you wish to cancel and receive a refund, please call our billing team within 24 hours on "
         "{scam_phone}. A technician will help you install the refund form on your computer.\n\n[[~Calls "
         "are answered 24/7. Have your bank details ready.\n\n]]~This is a system-generated message."),
        ("Your order {order} has shipped", "Your order of {qty} x <<iPhone 16 Pro|MacBook Air|PlayStation 5|"
         "gaming laptop>> for {amount} has shipped to {city}.\n\nIf you did not place this order, call "
         "{scam_phone} within 24 hours to cancel and get a full refund."),
    ), amount=(190, 900)),
    Kind("bec", "scam", "work", WORK, sms=(
        "{first}, I'm in a meeting and can't talk. I need you to buy {qty} {giftcard} gift cards for a "
        "client, "
        "{amount} each. Send me the codes asap. {sender_first}",
        "Hi {first}, are you at your desk? I need a quick favour, keep this between us. {sender_first}",
    ), email=(
        ("Updated bank details - {supplier}", "Please note that our bank details have changed because of an "
         "audit. All future payments, including invoice {invoice} for {amount}, must go to our new account."
         "\n\n^Account name: {supplier}\n^Sort code: {otp}\n^Account: {code}\n\n~Please confirm once "
         "updated. "
         "Do not use the old account.[[ Our phone lines are down, so reply by e-mail only.]]"),
        ("Urgent wire "
         "transfer", "{first}, I need you to process a wire of {big_amount} today for a confidential "
         "acquisition. I'll send the details. Don't discuss it with anyone until we announce it.\n\n"
         "[[I'm travelling and can only use e-mail.]]"),
        ("Quick task", "Are you available? I need you to buy {qty} {giftcard} gift cards of {amount} "
                       "each for "
         "staff awards. Scratch the back and send photos of the codes. I'll reimburse you today."),
        ("Payroll change", "Hi, I changed banks and would like my salary paid into my new account from this "
         "month. Can you update it before the next run? I'll send the details. Thanks, {sender_first}"),
    ), amount=(100, 500)),
    Kind("payment_failed", "scam", "brand", SUBSCRIPTIONS, sms=(
        "{brand}: Your payment could not be processed and your account will be suspended. Update your card: "
        "{scam_url}",
        "{brand}: We couldn't renew your membership. Confirm your billing details within {hours}h: "
        "{scam_url}",
    ), email=(
        ("Your {brand} membership is on "
         "hold", "We were unable to charge your card ending {card4} for {amount}."
         "\n\n~To keep your {brand} <<membership|account|plan>> active, please update your payment "
         "details:\n{scam_url}\n\n"
         "[[~If we don't hear from you within {hours} hours, your account will be closed.]]"),
        ("Payment declined - action needed", "Your subscription payment for {date} was declined. Please "
         "re-enter your card at {scam_url} to avoid losing your data."),
    ), amount=(3, 25), words=("billing", "update-payment", "account-hold", "renew", "membership")),
    Kind("toll", "scam", "brand", TOLLS, sms=(
        "{brand}: You have an unpaid toll of {fee}. Pay by {date} to avoid a late fee of {amount}: "
        "{scam_url}",
        "{brand}: Final reminder - outstanding road charge for your vehicle. Settle now: {scam_url}",
    ), email=(
        ("Unpaid toll notice {ref}", "Our records show an unpaid toll for your vehicle on {date}.\n\n"
         "Amount due: {fee}\n\nPay at {scam_url} within {hours} hours. After that a penalty of {amount} "
         "will apply and the matter may go to collections."),
    ), amount=(30, 120), words=("toll", "pay-toll", "road-charge", "penalty")),
    Kind("prize", "scam", "brand", PRIZES, sms=(
        "Congratulations {first}! You've been selected for a reward worth {amount} from {brand}. Claim: "
        "{scam_url}",
        "{brand} loyalty: your points worth {amount} expire today. Redeem now: {scam_url}",
        "You've won a <<iPhone 16|Dyson|{amount} voucher>> in our {brand} survey! Just pay {fee} shipping: "
        "{scam_url}",
    ), email=(
        ("You've been selected", "Congratulations! As a loyal {brand} customer you can get a {amount} reward "
         "by answering 5 quick questions.\n\n{scam_url}\n\n[[~Only {qty} rewards left today.]]"),
        ("Lottery win notification {ref}", "Your e-mail address won {big_amount} in the international online "
         "lottery. To claim, send your full name, address and a processing fee of {fee} to the claims agent "
         "{odd_email}."),
    ), amount=(50, 1000), words=("reward", "claim", "survey", "gift", "points")),
    Kind("credential_phish", "scam", "brand", WORK_TOOLS, sms=(
        "{brand}: Your mailbox is full and new messages will be rejected. Upgrade your storage: {scam_url}",
        "{brand}: {sender_first} shared a document with you. Sign in to view: {scam_url}",
    ), email=(
        ("{sender_first} {sender_last} shared \"{doc}\" with "
         "you", "{sender_first} {sender_last} has shared a "
         "file with you via {brand}.\n\n{doc}.pdf\n\n~Open: {scam_url}\n\n[[~This link will expire in "
         "{hours} hours. ]]Sign in with your work e-mail and password to view."),
        ("Please DocuSign: <<payment confirmation|contract|remittance advice>> {ref}", "You have received a "
         "document to review and sign.\n\nREVIEW DOCUMENT: {scam_url}\n\n[[Sender: {sender_email}]]"),
        ("<<Action required|Mailbox migration|Storage limit reached>>: {first}", "Dear {first},\n\n"
         "Your {brand} mailbox has reached <<98%|99%|100%>> of its storage limit. As part of the move to "
         "the new {company} mail servers, accounts that are not re-validated by {date} will stop "
         "receiving messages and stored data may be lost.\n\n~Re-validate now: {scam_url}\n\n~You "
         "will be asked to confirm your current password so that your folders can be copied.[[ This "
         "takes less than a minute.]]\n\n[[~Failure to comply will result in account closure.\n\n]]"
         "{brand} Administrator\nIT Help Desk"),
        ("Password expiry notice", "The password for your {brand} account expires today. Keep your current "
         "password here: {scam_url}[[\n\nIT Service Desk]]"),
    ), words=("login", "sharepoint-docs", "office365", "mailbox", "sign", "secure-doc")),
    Kind("advance_fee", "scam", "anon", brands("Unknown/none/*"), email=(
        ("Confidential business proposal", "Dear friend,\n\nI am {sender_first} {sender_last}, a lawyer in "
         "{city}. A client of mine with your surname died and left {big_amount} with no next of kin.\n\n"
         "~I propose we share the funds 50/50. I only need your full name, phone number and a copy of your "
         "ID.[[\n\n~Please keep this confidential.]]"),
        ("<<Re: your beneficiary status|Transfer of funds|Urgent response needed>>", "Greetings,\n\n"
         "I am {sender_first} {sender_last}, <<director of operations|foreign remittance manager|"
         "auditor>> at a bank in {city}. During our annual audit I found a dormant account belonging to "
         "a foreign contractor who died <<in a car accident|during the pandemic|abroad>> in <<2019|2020|"
         "2021>>. The balance is {big_amount}.\n\n~No relative has come forward, and the bank will "
         "move the money to the treasury unless a beneficiary claims it. Because you share the same "
         "surname, I can present you as the next of kin.\n\n~The transaction is 100% risk free. You "
         "will receive 40% and the rest will go to charity. To begin, send me your full name, address, "
         "phone number and occupation.[[ A small legal fee of {amount} will be needed for the "
         "certificate.]]\n\n~Please treat this as strictly confidential and reply to my private "
         "e-mail {odd_email}."),
        ("Compensation payment", "The fund office has approved your compensation of {big_amount}. A release "
         "fee of {amount} is needed before transfer. Reply to {odd_email}."),
    ), amount=(150, 900)),
)

KINDS: tuple[Kind, ...] = LEGIT + SCAM


# ---------------------------------------------------------------- assembly


def render(kind: Kind, channel: str, template, rng: random.Random) -> str:
    """One message of `kind` on `channel` from `template`, with fresh fills."""
    fills = Fills(rng, kind)
    if channel == "sms":
        return squeeze(expand(template, fills))
    subject, body = template
    paragraphs = shuffle_marked(expand(body, fills).split("\n\n"), "~", rng)
    parts = ["\n".join(shuffle_marked(p.split("\n"), "^", rng)) for p in paragraphs]
    if rng.random() < 0.9:
        parts.insert(0, fills["greeting"])
    parts.append(fills["signoff"])
    if rng.random() < 0.45:
        parts.append(fills["footer"])
    subject_line = squeeze(expand(subject, fills))
    return f"Subject: {subject_line}\n\n" + "\n\n".join(squeeze(p) for p in parts if p.strip())


def shuffle_marked(parts: list[str], mark: str, rng: random.Random) -> list[str]:
    """The parts that start with `mark` swap places among themselves; the mark goes."""
    movable = [i for i, part in enumerate(parts) if part.startswith(mark)]
    moved = [parts[i] for i in movable]
    rng.shuffle(moved)
    for i, part in zip(movable, moved, strict=True):
        parts[i] = part
    return [part.removeprefix(mark) for part in parts]


def squeeze(text: str) -> str:
    """Tidy the spaces and blank lines that left-out optional parts leave behind."""
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" +([.,!?])", r"\1", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return "\n".join(line.strip() for line in text.strip().split("\n"))


def generate(count: int = 3000, seed: int = 13) -> list[dict]:
    """`count` unique messages, ~55 % legit, every (kind, channel) in turn, each template in turn."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    rng = random.Random(seed)
    pools = {label: [(k, c) for k in KINDS if k.label == label for c in k.channels]
             for label in ("legit", "scam")}
    for pool in pools.values():
        rng.shuffle(pool)
    n_legit = round(count * LEGIT_SHARE)
    turns: dict[tuple[str, str], int] = {}
    seen: set[str] = set()
    records = []
    for i in range(count):
        label, index = ("legit", i) if i < n_legit else ("scam", i - n_legit)
        kind, channel = pools[label][index % len(pools[label])]
        templates = kind.sms if channel == "sms" else kind.email
        for _attempt in range(60):
            turn = turns.get((kind.name, channel), 0)
            turns[(kind.name, channel)] = turn + 1
            text = render(kind, channel, templates[turn % len(templates)], rng)
            if text not in seen:
                break
        else:
            raise RuntimeError(f"could not make a new {kind.name} {channel} message; templates too few")
        seen.add(text)
        records.append({"text": text, "label": label, "source": SOURCE, "kind": kind.name,
                        "channel": channel})
    rng.shuffle(records)
    return [{**r, "id": f"syn-{n:05d}"} for n, r in enumerate(records, 1)]


def template_count() -> dict[str, int]:
    """Base templates per label (one per SMS text or e-mail subject/body pair)."""
    counts = {"legit": 0, "scam": 0}
    for kind in KINDS:
        counts[kind.label] += len(kind.sms) + len(kind.email)
    return counts
