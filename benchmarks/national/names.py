"""Small word lists for obviously fake people, companies and operations: names are drawn
and combined at random, so no record describes a real person."""

import unicodedata

STAFF_GIVEN = [
    "Ana", "Beatriz", "Carla", "Diana", "Eduarda", "Filipa", "Gabriela", "Helena", "Inês", "Joana", "Leonor",
    "Mariana", "Marta", "Patrícia", "Raquel", "Sara", "Teresa", "Vera", "André", "Bruno", "Carlos", "Daniel",
    "Diogo", "Fernando", "Gonçalo", "Hugo", "João", "Luís", "Manuel", "Nuno", "Pedro", "Ricardo", "Rui",
    "Sérgio", "Tiago", "Vasco",
]
STAFF_FAMILY = [
    "Abreu", "Almeida", "Barros", "Batista", "Brito", "Campos", "Cardoso", "Carvalho", "Correia", "Costa",
    "Cunha", "Dias", "Esteves", "Faria", "Fernandes", "Fonseca", "Freitas", "Gaspar", "Gomes", "Henriques",
    "Jesus", "Leal", "Lopes", "Macedo", "Magalhães", "Marques", "Martins", "Melo", "Monteiro", "Moreira",
    "Nogueira", "Oliveira", "Pacheco", "Paiva", "Pereira", "Pinheiro", "Ramos", "Rebelo", "Ribeiro", "Rocha",
    "Santos", "Simões", "Soares", "Tavares", "Valente", "Vaz", "Vieira",
]

# Given names (female, male) and family names by nationality, for victim identities.
PEOPLE = {
    "PT": (["Ana", "Maria", "Sofia", "Rita"], ["José", "Paulo", "Rui", "Tiago"], ["Silva", "Sousa", "Lopes", "Matos"]),
    "BR": (["Juliana", "Fernanda", "Luana", "Priscila"], ["Thiago", "Rafael", "Wellington", "Júnior"],
           ["Oliveira", "Souza", "Lima", "Araújo", "Nascimento"]),
    "RO": (["Ioana", "Andreea", "Elena", "Mihaela"], ["Andrei", "Florin", "Ionuț", "Marius"],
           ["Popa", "Ionescu", "Stan", "Dumitru", "Constantin"]),
    "BG": (["Desislava", "Milena", "Petya"], ["Georgi", "Ivan", "Stoyan"], ["Petrov", "Dimitrov", "Georgieva"]),
    "MD": (["Natalia", "Olga", "Victoria"], ["Vasile", "Sergiu", "Ion"], ["Rusu", "Ciobanu", "Munteanu"]),
    "UA": (["Oksana", "Iryna", "Kateryna"], ["Oleksandr", "Mykola", "Dmytro"], ["Kovalenko", "Bondarenko", "Shevchuk"]),
    "NP": (["Sita", "Gita", "Sunita"], ["Bikash", "Ramesh", "Suman", "Prakash"], ["Gurung", "Thapa", "Rai", "Tamang"]),
    "IN": (["Priya", "Kavita", "Anjali"], ["Amit", "Sandeep", "Harpreet", "Gurpreet"],
           ["Singh", "Kaur", "Kumar", "Sharma"]),
    "PK": (["Ayesha", "Sana"], ["Imran", "Bilal", "Usman"], ["Khan", "Hussain", "Ahmed"]),
    "BD": (["Nasrin", "Shirin"], ["Rahim", "Karim", "Sohel"], ["Hossain", "Rahman", "Islam"]),
    "NG": (["Blessing", "Joy", "Precious", "Favour"], ["Emeka", "Chinedu", "Samuel"],
           ["Okafor", "Eze", "Okoro", "Adeyemi"]),
    "CV": (["Djenifer", "Yara"], ["Edson", "Nilton"], ["Tavares", "Fortes", "Semedo"]),
    "AO": (["Esperança", "Luzia"], ["Domingos", "Manuel"], ["Mateus", "Kiala", "Capita"]),
    "MA": (["Fatima", "Khadija"], ["Youssef", "Hamza"], ["El Amrani", "Benali", "Idrissi"]),
    "TH": (["Siriporn", "Nittaya"], ["Somchai", "Anan"], ["Srisuk", "Chaiyaporn"]),
    "VN": (["Lan", "Huong", "Mai"], ["Minh", "Tuan"], ["Nguyen", "Tran", "Pham"]),
    "CN": (["Li Na", "Wang Fang"], ["Zhang Wei", "Liu Yang"], ["Chen", "Zhao", "Huang"]),
    "PH": (["Maricel", "Jocelyn"], ["Jomar", "Rodel"], ["Reyes", "Santos", "Dela Cruz"]),
}
# Where victims come from, with weights (HTCDS-style nationality mix for the Iberian peninsula).
NATIONALITIES = [
    ("PT", 14), ("BR", 14), ("RO", 13), ("NP", 9), ("IN", 8), ("MD", 5), ("BG", 5), ("UA", 5), ("NG", 6),
    ("PK", 4), ("BD", 4), ("CV", 3), ("AO", 3), ("MA", 2), ("TH", 2), ("VN", 1), ("CN", 1), ("PH", 1),
]
LANGUAGES = {
    "PT": ["pt"], "BR": ["pt"], "RO": ["ro"], "BG": ["bg"], "MD": ["ro", "ru"], "UA": ["uk", "ru"], "NP": ["ne"],
    "IN": ["hi", "pa"], "PK": ["ur"], "BD": ["bn"], "NG": ["en"], "CV": ["pt"], "AO": ["pt"], "MA": ["ar", "fr"],
    "TH": ["th"], "VN": ["vi"], "CN": ["zh-hans"], "PH": ["en"],
}

OPERATION_WORDS = [
    "Amber", "Anchor", "Atlas", "Beacon", "Birch", "Cedar", "Compass", "Coral", "Delta", "Ember", "Falcon", "Fjord",
    "Garnet", "Glacier", "Granite", "Harbour", "Heron", "Horizon", "Iris", "Juniper", "Kestrel", "Lagoon", "Laurel",
    "Maple", "Meridian", "Mistral", "Nautilus", "Oak", "Olive", "Onyx", "Orchard", "Pelican", "Pine", "Quartz",
    "Raven", "Reef", "Saffron", "Sentinel", "Sierra", "Sparrow", "Tide", "Topaz", "Tundra", "Vineyard", "Willow",
    "Zephyr",
]
FORM_TITLES = {
    "SexualExploitation": ["sexual exploitation in rented flats", "sexual exploitation after false job offers",
                            "sexual exploitation advertised online"],
    "ForcedLabour": ["forced labour on farms", "forced labour in restaurant kitchens",
                      "forced labour on building sites", "forced labour in a garment workshop",
                      "forced labour in greenhouses"],
    "Servitude": ["domestic servitude in a private household"],
    "Slavery": ["slavery-like practices at a fishing company"],
    "ForcedMarriage": ["forced marriage arranged abroad"],
    "OrganRemoval": ["suspected organ removal network"],
    "ForcedBegging": ["forced begging in city centres"],
    "ForcedCriminality": ["children forced into shoplifting", "forced cannabis cultivation"],
    "ForcedMilitaryByNonStateActors": ["recruitment into an armed group abroad"],
    "Other": ["exploitation under investigation"],
}
COMPANY_WORDS = ["Agro", "Horta", "Sol", "Vale", "Rio", "Mar", "Serra", "Lusa", "Atlântico", "Norte", "Campo",
                 "Ponte", "Costa", "Prado"]
COMPANY_KINDS = ["Serviços Agrícolas", "Construções", "Restauração", "Limpezas", "Têxteis", "Recrutamento",
                 "Turismo", "Logística"]
PLACES = ["Rua das Acácias", "Rua do Vale", "Travessa da Fonte", "Avenida Central", "Rua Nova", "Largo da Igreja",
          "Rua do Mercado", "Rua dos Pescadores"]


def ascii_name(text):
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def person(rng, nationality, female):
    given_f, given_m, family = PEOPLE.get(nationality, PEOPLE["PT"])
    return rng.choice(given_f if female else given_m), rng.choice(family)


def company(rng):
    return f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)} Lda."
