/// Common English first-name nicknames, shipped with the program: a booking for "Bill" offers
/// PPMP's "William" for review, never matches it. Each group is one name and its short forms,
/// normalised (lower case).
enum NicknameTable {
  static let groups: [[String]] = [
    ["william", "bill", "billy", "will", "willy", "liam"], ["elizabeth", "liz", "lizzie", "beth", "betty", "eliza", "libby"],
    ["robert", "rob", "robbie", "bob", "bobby", "bert"], ["richard", "rich", "rick", "ricky", "dick"],
    ["margaret", "maggie", "meg", "peggy", "marge", "margie"], ["katherine", "kate", "katie", "kathy", "kath", "kat"],
    ["catherine", "cathy", "cath", "kate", "katie"], ["james", "jim", "jimmy", "jamie"], ["john", "jack", "johnny"],
    ["michael", "mike", "mick", "mikey", "mickey"], ["thomas", "tom", "tommy"], ["jennifer", "jen", "jenny"],
    ["patricia", "pat", "patty", "trish"], ["patrick", "pat", "paddy"], ["anthony", "tony"], ["christopher", "chris"],
    ["christine", "chris", "chrissy", "tina"], ["daniel", "dan", "danny"], ["joseph", "joe", "joey"],
    ["edward", "ed", "eddie", "ted", "ned"], ["alexander", "alex", "sandy"], ["alexandra", "alex", "sandra", "lexi"],
    ["benjamin", "ben", "benny"], ["matthew", "matt"], ["nicholas", "nick", "nicky"], ["samuel", "sam", "sammy"],
    ["samantha", "sam", "sammy"], ["stephen", "steve", "stevie"], ["steven", "steve", "stevie"],
    ["susan", "sue", "suzie", "susie"], ["deborah", "deb", "debbie"], ["rebecca", "becky", "bec"],
    ["victoria", "vicky", "tori"], ["charles", "charlie", "chuck"], ["charlotte", "charlie", "lottie"],
    ["david", "dave", "davy"], ["andrew", "andy", "drew"], ["jonathan", "jon", "jonny"], ["timothy", "tim", "timmy"],
    ["peter", "pete"], ["gregory", "greg"], ["kenneth", "ken", "kenny"], ["ronald", "ron", "ronnie"],
    ["donald", "don", "donnie"], ["douglas", "doug"], ["frederick", "fred", "freddie"], ["gerald", "gerry"],
    ["lawrence", "larry", "laurie"], ["leonard", "len", "lenny", "leo"], ["nathaniel", "nathan", "nate"],
    ["raymond", "ray"], ["phillip", "phil"], ["philip", "phil"], ["abigail", "abby"], ["amanda", "mandy"],
    ["barbara", "barb", "babs"], ["dorothy", "dot", "dottie"], ["eleanor", "ellie", "nell"], ["helen", "nell"],
    ["jacqueline", "jackie"], ["josephine", "jo", "josie"], ["judith", "judy"], ["kimberly", "kim"],
    ["madeleine", "maddie"], ["natalie", "nat"], ["pamela", "pam"], ["penelope", "penny"], ["sarah", "sally"],
    ["theresa", "tess", "terri"], ["valerie", "val"], ["zachary", "zach"], ["harold", "harry", "hal"],
    ["henry", "harry", "hank"], ["jessica", "jess", "jessie"], ["joshua", "josh"], ["isabella", "bella", "izzy"],
  ]

  private static let related: [String: Set<String>] = {
    var map: [String: Set<String>] = [:]
    for group in groups {
      for name in group { map[name, default: []].formUnion(group) }
    }
    return map
  }()

  /// Whether two different normalised first names are nicknames of each other.
  static func areNicknames(_ a: String, _ b: String) -> Bool {
    a != b && related[a]?.contains(b) == true
  }
}
