"""Fresh held-out evaluation set for the duplicate-customer matcher.

    python benchmarks/dedupe_sets/dedupe_fresh.py [--records 170000] [--seed 11]
    -> benchmarks/dedupe_sets/.cache/dedupe-fresh-<seed>-<records>.csv (utf-8-sig)

Columns 客户编号, 客户名称, 联系人姓名, 联系电话, 联系邮箱, 创建时间, entity; rows with one `entity` are one real
customer (one legal entity or one branch). Rows are shuffled; a seed fixes the output. Written from a description
of the sales teams' data only, without looking at the matcher or the other generators.

Entities come in families so that hard negatives sit side by side (rough shares of entities): 29 % unrelated
companies; 11 % head offices and their 分公司 / 办事处 / 门市部 (e-mail domain shared 70 %, switchboard 25 %);
10 % one brand in 2-3 cities; 6 % groups and subsidiaries (XX集团有限公司 / XX集团物流有限公司); 8 % pairs in one
city and trade whose brands differ by one character (a quarter of them a homophone); 12 % chain stores in one
city with their own phones, and their franchisor; 8 % firms a bookkeeping agent registered with the agent's
phone, e-mail and name; 7 % tenants on one building's switchboard; 9 % 个体工商户 named after the owner (60 % a
very common name, often the same name and trade in 2-3 cities). 12 % of contacts bear one of 35 common names.

An entity is entered 1 (72 %), 2 (21 %) or 3 (7 %) times. A name is the registered one (40 %) or as a salesperson
writes it: place changed or dropped (50 %), legal form changed or dropped (35 %), trade shortened or dropped
(20 %), brand alone (5 %), a homophone in the brand (6 %), then a missing character (4 %), traditional characters
(3 %) or stray spaces (6 %); half-width brackets (40 %). 5 % of company records carry an English / pinyin name.
A repeat keeps from an earlier record of its entity all of phone, e-mail and contact (18 %), two of them (27 %) or
one (55 %: phone 50, contact 30, e-mail 20); the rest move to a colleague, the landline or a new mobile. 2.5 % of
repeats are the identical registered name with every channel different (two departments of one firm). Phones vary
in spacing, dashes, +86 / 86- / 0086, area code and extension (转808); e-mails in case and stray spaces; a contact
is written surname + title (王总, 李姐) on 15 % of records.
"""
from __future__ import annotations

import argparse
import random
import re
import time
from collections import namedtuple
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path

import pandas as pd
import zhconv

CACHE = Path(__file__).parent / ".cache"

# province/pinyin: city/pinyin area-code weight districts-or-towns county-level-cities-and-counties/pinyin ; ...
_CITY_TEXT = """\
浙江省/zhejiang: 杭州/hangzhou 0571 8 上城区 拱墅区 西湖区 建德市/jiande 桐庐县/tonglu 淳安县/chunan ; 宁波/ningbo 0574 6 海曙区 江北区 鄞州区 余姚市/yuyao 慈溪市/cixi 宁海县/ninghai
浙江省/zhejiang: 温州/wenzhou 0577 5 鹿城区 龙湾区 瓯海区 乐清市/yueqing 瑞安市/ruian 永嘉县/yongjia
浙江省/zhejiang: 绍兴/shaoxing 0575 3 越城区 柯桥区 上虞区 诸暨市/zhuji 嵊州市/shengzhou 新昌县/xinchang
浙江省/zhejiang: 金华/jinhua 0579 4 婺城区 金东区 义乌市/yiwu 东阳市/dongyang 永康市/yongkang ; 台州/taizhou 0576 3 椒江区 黄岩区 路桥区 温岭市/wenling 临海市/linhai 玉环市/yuhuan
浙江省/zhejiang: 嘉兴/jiaxing 0573 3 南湖区 秀洲区 海宁市/haining 桐乡市/tongxiang 嘉善县/jiashan ; 江苏省/jiangsu: 南京/nanjing 025 6 玄武区 秦淮区 鼓楼区
江苏省/jiangsu: 苏州/suzhou 0512 8 姑苏区 吴中区 相城区 昆山市/kunshan 常熟市/changshu 张家港市/zhangjiagang 太仓市/taicang
江苏省/jiangsu: 无锡/wuxi 0510 5 梁溪区 滨湖区 新吴区 江阴市/jiangyin 宜兴市/yixing ; 常州/changzhou 0519 3 天宁区 钟楼区 武进区 溧阳市/liyang
江苏省/jiangsu: 南通/nantong 0513 3 崇川区 通州区 海门区 如皋市/rugao 启东市/qidong 海安市/haian ; 徐州/xuzhou 0516 2 鼓楼区 云龙区 泉山区 邳州市/pizhou 沛县/peixian
广东省/guangdong: 广州/guangzhou 020 10 天河区 越秀区 海珠区 ; 深圳/shenzhen 0755 11 福田区 南山区 罗湖区 ; 东莞/dongguan 0769 6 长安镇 虎门镇 塘厦镇
广东省/guangdong: 佛山/foshan 0757 6 禅城区 南海区 顺德区 ; 中山/zhongshan 0760 2 小榄镇 古镇镇 石岐街道 ; 汕头/shantou 0754 2 金平区 龙湖区 澄海区 南澳县/nanao
广东省/guangdong: 惠州/huizhou 0752 2 惠城区 惠阳区 博罗县/boluo 惠东县/huidong ; 福建省/fujian: 福州/fuzhou 0591 3 鼓楼区 台江区 仓山区 福清市/fuqing 闽侯县/minhou
福建省/fujian: 厦门/xiamen 0592 4 思明区 湖里区 集美区 ; 泉州/quanzhou 0595 4 丰泽区 鲤城区 洛江区 晋江市/jinjiang 石狮市/shishi 南安市/nanan 惠安县/huian 安溪县/anxi
山东省/shandong: 济南/jinan 0531 4 历下区 市中区 槐荫区 平阴县/pingyin 商河县/shanghe ; 青岛/qingdao 0532 5 市南区 市北区 崂山区 胶州市/jiaozhou 平度市/pingdu 莱西市/laixi
山东省/shandong: 临沂/linyi 0539 3 兰山区 罗庄区 河东区 沂水县/yishui 郯城县/tancheng ; 潍坊/weifang 0536 2 奎文区 潍城区 寿光市/shouguang 诸城市/zhucheng 青州市/qingzhou
河北省/hebei: 石家庄/shijiazhuang 0311 3 长安区 桥西区 新华区 辛集市/xinji 正定县/zhengding ; 保定/baoding 0312 2 竞秀区 莲池区 涿州市/zhuozhou 高碑店市/gaobeidian
河北省/hebei: 唐山/tangshan 0315 2 路北区 路南区 迁安市/qianan 遵化市/zunhua
河南省/henan: 郑州/zhengzhou 0371 5 金水区 中原区 二七区 新郑市/xinzheng 巩义市/gongyi 中牟县/zhongmou ; 洛阳/luoyang 0379 2 西工区 洛龙区 涧西区 伊川县/yichuan 新安县/xinan
湖北省/hubei: 武汉/wuhan 027 6 江汉区 江岸区 武昌区 ; 宜昌/yichang 0717 1 西陵区 伍家岗区 宜都市/yidu 枝江市/zhijiang
湖南省/hunan: 长沙/changsha 0731 5 岳麓区 芙蓉区 天心区 浏阳市/liuyang 宁乡市/ningxiang 长沙县/changshaxian
四川省/sichuan: 成都/chengdu 028 8 锦江区 青羊区 武侯区 都江堰市/dujiangyan 彭州市/pengzhou 简阳市/jianyang ; 绵阳/mianyang 0816 1 涪城区 游仙区 江油市/jiangyou 三台县/santai
重庆市/chongqing: 重庆/chongqing 023 6 渝中区 江北区 南岸区 忠县/zhongxian 云阳县/yunyang 垫江县/dianjiang ; 北京市/beijing: 北京/beijing 010 10 朝阳区 海淀区 东城区
上海市/shanghai: 上海/shanghai 021 11 浦东新区 徐汇区 闵行区 ; 天津市/tianjin: 天津/tianjin 022 4 和平区 南开区 河西区
安徽省/anhui: 合肥/hefei 0551 4 蜀山区 包河区 庐阳区 巢湖市/chaohu 肥西县/feixi 长丰县/changfeng ; 芜湖/wuhu 0553 1 镜湖区 鸠江区 无为市/wuwei
江西省/jiangxi: 南昌/nanchang 0791 3 东湖区 西湖区 青山湖区 进贤县/jinxian ; 陕西省/shaanxi: 西安/xian 029 5 雁塔区 碑林区 未央区 周至县/zhouzhi 蓝田县/lantian
辽宁省/liaoning: 沈阳/shenyang 024 3 和平区 沈河区 铁西区 新民市/xinmin 法库县/faku ; 大连/dalian 0411 3 中山区 西岗区 沙河口区 瓦房店市/wafangdian 庄河市/zhuanghe
吉林省/jilin: 长春/changchun 0431 2 朝阳区 南关区 绿园区 榆树市/yushu 农安县/nongan ; 黑龙江省/heilongjiang: 哈尔滨/haerbin 0451 2 南岗区 道里区 香坊区 五常市/wuchang 尚志市/shangzhi
云南省/yunnan: 昆明/kunming 0871 3 五华区 盘龙区 官渡区 安宁市/anning 宜良县/yiliang ; 广西壮族自治区/guangxi: 南宁/nanning 0771 2 青秀区 兴宁区 西乡塘区 横州市/hengzhou 宾阳县/binyang
广西壮族自治区/guangxi: 柳州/liuzhou 0772 1 城中区 鱼峰区 柳城县/liucheng ; 贵州省/guizhou: 贵阳/guiyang 0851 2 云岩区 南明区 观山湖区 清镇市/qingzhen 修文县/xiuwen
山西省/shanxi: 太原/taiyuan 0351 2 小店区 迎泽区 杏花岭区 古交市/gujiao 清徐县/qingxu ; 内蒙古自治区/neimenggu: 呼和浩特/huhehaote 0471 1 新城区 赛罕区 回民区 托克托县/tuoketuo
内蒙古自治区/neimenggu: 包头/baotou 0472 1 昆都仑区 青山区 固阳县/guyang ; 新疆维吾尔自治区/xinjiang: 乌鲁木齐/wulumuqi 0991 1 天山区 沙依巴克区 新市区 乌鲁木齐县/wulumuqixian
甘肃省/gansu: 兰州/lanzhou 0931 1 城关区 七里河区 安宁区 榆中县/yuzhong 永登县/yongdeng ; 海南省/hainan: 海口/haikou 0898 1 龙华区 美兰区 秀英区 ; 三亚/sanya 0898 1 吉阳区 天涯区
宁夏回族自治区/ningxia: 银川/yinchuan 0951 1 兴庆区 金凤区 永宁县/yongning 贺兰县/helan"""
# Brand characters; those sharing a reading are the homophones salespeople mix up (鑫/新/欣, 丰/峰/锋, 华/化).
_BRAND = ("鑫xin新xin欣xin信xin丰feng峰feng锋feng风feng华hua化hua达da大da宏hong鸿hong红hong洪hong源yuan元yuan远yuan圆yuan龙long隆long盛sheng胜sheng"
          "圣sheng泰tai太tai通tong同tong利li力li立li丽li佳jia嘉jia家jia辉hui晖hui汇hui惠hui祥xiang翔xiang瑞rui锐rui恒heng衡heng金jin锦jin津jin联lian"
          "连lian威wei维wei伟wei德de益yi亿yi易yi艺yi天tian宇yu昌chang长chang海hai航hang创chuang兴xing星xing明ming铭ming光guang广guang博bo科ke安an"
          "康kang富fu福fu永yong荣rong融rong凯kai捷jie杰jie诚cheng成cheng正zheng振zhen万wan东dong中zhong众zhong美mei润run腾teng飞fei豪hao浩hao俊jun"
          "骏jun聚ju巨ju顺shun合he和he宝bao奥ao环huan百bai图tu蓝lan")
_SURNAMES = ("王wang李li张zhang刘liu陈chen杨yang黄huang赵zhao吴wu周zhou徐xu孙sun马ma朱zhu胡hu郭guo何he高gao林lin罗luo郑zheng梁liang谢xie宋song唐tang许xu"
             "韩han冯feng邓deng曹cao彭peng曾zeng肖xiao田tian董dong袁yuan潘pan于yu蒋jiang蔡cai余yu杜du叶ye程cheng苏su魏wei吕lv丁ding任ren沈shen姚yao卢lu"
             "姜jiang崔cui钟zhong谭tan陆lu汪wang范fan金jin石shi廖liao贾jia夏xia韦wei付fu方fang白bai邹zou孟meng熊xiong秦qin邱qiu江jiang尹yin薛xue闫yan"
             "段duan雷lei侯hou龙long史shi陶tao黎li贺he顾gu毛mao郝hao龚gong邵shao万wan钱qian严yan覃qin武wu戴dai莫mo孔kong向xiang汤tang欧阳ouyang司马sima"
             "诸葛zhuge上官shangguan")
_MALE = ("伟wei强qiang磊lei军jun勇yong杰jie涛tao斌bin超chao明ming刚gang平ping辉hui鹏peng华hua飞fei鑫xin波bo宇yu浩hao凯kai健jian俊jun帆fan帅shuai旭xu"
         "宁ning龙long林lin阳yang建jian国guo志zhi文wen海hai峰feng亮liang东dong晨chen博bo成cheng永yong春chun德de洋yang")
_FEMALE = ("芳fang娜na敏min静jing丽li艳yan娟juan霞xia燕yan玲ling婷ting雪xue慧hui莉li萍ping红hong琳lin颖ying倩qian洁jie琴qin云yun丹dan玉yu兰lan梅mei"
           "蓉rong晶jing欣xin悦yue怡yi佳jia璐lu秀xiu英ying桂gui凤feng")
COMMON_NAMES = ("王伟 李娜 张敏 刘洋 王芳 张伟 李静 王静 李强 张丽 王磊 刘伟 李军 王勇 张静 李杰 王秀英 张秀英 陈静 刘杰 王丽 李敏 "
                "张磊 王军 杨洋 张勇 陈杰 刘芳 李秀英 王刚 李娟 张涛 王艳 李明 王超").split()
# zh:short:English:English short, ';' between trades
_TRADES = ("科技:科技:Technology:TECH;信息技术:信息:Information Technology:IT;电子科技:电子:Electronic Technology:ELEC;"
           "网络科技:网络:Network Technology:NET;机械设备:机械:Machinery Equipment:MACHINERY;贸易:贸易:Trading:TRADING;商贸:商贸:Trading:TRADE;"
           "进出口:进出口:Import and Export:IMPEX;实业:实业:Industrial:IND;服饰:服饰:Apparel:APPAREL;纺织:纺织:Textile:TEXTILE;"
           "食品:食品:Food:FOOD;建材:建材:Building Materials:BM;物流:物流:Logistics:LOGISTICS;供应链管理:供应链:Supply Chain Management:SCM;"
           "化工:化工:Chemical:CHEM;新材料:材料:New Material:MATERIALS;包装材料:包装:Packaging Materials:PACKAGING;"
           "五金制品:五金:Hardware Products:HARDWARE;塑胶制品:塑胶:Plastic Products:PLASTIC;医疗器械:医疗:Medical Devices:MEDICAL;"
           "环保科技:环保:Environmental Technology:ENV;文化传媒:传媒:Culture Media:MEDIA;广告:广告:Advertising:AD;"
           "建筑工程:建筑:Construction Engineering:CONSTRUCTION;装饰工程:装饰:Decoration Engineering:DECO;汽车配件:汽配:Auto Parts:AUTO;"
           "家具:家具:Furniture:FURNITURE;电气:电气:Electric:ELECTRIC;光电:光电:Optoelectronics:OPTO;"
           "农业发展:农业:Agricultural Development:AGRI;生物科技:生物:Biotechnology:BIO;酒店管理:酒店:Hotel Management:HOTEL;"
           "教育科技:教育:Education Technology:EDU;人力资源:人力:Human Resources:HR;电子商务:电商:E-commerce:ECOM;"
           "精密模具:模具:Precision Mould:MOULD;陶瓷:陶瓷:Ceramics:CERAMICS;照明电器:照明:Lighting:LIGHTING")
_AGENT_TRADES = "财务咨询:财务:Financial Consulting:FINANCE;代理记账:记账:Bookkeeping:ACCOUNTING;企业管理咨询:咨询:Consulting:MC"
_FRANCHISOR_TRADES = "餐饮管理:餐饮:Catering Management:CATERING;连锁管理:连锁:Chain Management:CHAIN;商业管理:商业:Commerce:CM"
# Shops get no English name: nobody renders a noodle bar's registration in English.
_CHAIN_TYPES = "火锅:火锅;餐饮:餐饮;便利店:便利;烘焙:烘焙;奶茶:奶茶;大药房:药房;洗衣:洗衣;超市:超市;烧烤:烧烤;眼镜:眼镜;口腔门诊:口腔;面馆:面馆"
_SHOPS = ("五金店:五金;日用百货商行:百货;服装店:服装;水果店:水果;汽车修理厂:汽修;建材经营部:建材;电器维修部:电器;小吃店:小吃;"
          "茶叶店:茶叶;家具店:家具;副食店:副食;烟酒店:烟酒;手机店:手机;农资店:农资;理发店:理发;快餐店:快餐;门窗加工厂:门窗")
STORE_LOCS = ("万达广场 人民路 解放路 中山路 吾悦广场 银泰城 火车站 大学城 高新 步行街 龙湖天街 万象城 新华路 建设路 世纪大道 "
              "体育馆 凤凰城 南门 北门 东站 开发区 大悦城 印象城 宝龙广场 世茂广场 文化路").split()
TITLES_M, TITLES_F = "总 经理 工 哥 先生 主任 老板 主管 总监 科长".split(), "总 经理 姐 女士 小姐 会计 主管 老师".split()
MOBILE_PREFIX = ("130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 173 176 177 178 180 181 "
                 "182 183 185 186 187 188 189 191 193 195 198 199").split()
FREEMAIL = {"qq.com": 40, "163.com": 20, "126.com": 10, "sina.com": 5, "foxmail.com": 8, "139.com": 5, "aliyun.com": 4,
            "hotmail.com": 3}
TLDS = [".com", ".com", ".cn", ".com.cn", ".net"]
GENERIC = "info sales service admin office market contact trade purchase cs".split()
FORMS, FORM_W = ["有限公司", "有限责任公司", "股份有限公司"], [75, 16, 9]
FORM_VARIANTS, FORM_VARIANT_W = ["有限公司", "有限责任公司", "股份有限公司", "公司", ""], [35, 10, 5, 25, 25]
STYLES, STYLE_W = ["city", "county", "prov", "paren", "district"], [55, 18, 12, 8, 7]
FAMILIES = {"single": 55, "branch": 8, "samebrand": 8, "group": 4, "neighbor": 8, "chain": 5, "agent": 3, "building": 3,
            "individual": 12}
START, LAST_DAY = datetime(2022, 1, 1), (datetime(2026, 10, 31) - datetime(2022, 1, 1)).days

Trade = namedtuple("Trade", "zh short en en_short", defaults=("", ""))
City = namedtuple("City", "prov prov_short prov_py name py area weight districts counties")
Person = namedtuple("Person", "name surname female mobile email")


@dataclass
class Entity:
    kind: str
    city: City  # where the name is registered, and so the place written in it
    brand: str
    brand_py: str
    trade: Trade
    form: str
    style: str = "city"  # how the registered name carries its place: city, county, prov, paren, district, bare
    county: tuple[str, str] | None = None
    district: str = ""
    suffix: str = ""
    en_suffix: str = ""
    domain: str = ""
    landline: tuple[str, str, str] | None = None
    persons: list[Person] = field(default_factory=list)
    generic: str = ""
    land_p: float = 0.3  # how often a salesperson notes the landline rather than a mobile
    eid: int = -1

    @property
    def reg_place(self) -> str:
        c = self.city
        return {"prov": c.prov_short, "bare": "", "district": c.name + "市" + self.district,
                "county": self.county[0] if self.county else c.name}.get(self.style, c.name)

    @property
    def reg(self) -> str:
        return _compose(self.reg_place, self.style == "paren", self.brand, self.trade.zh, self.form, self.suffix)


def _pairs(text: str) -> list[tuple[str, str]]:
    return re.findall(r"([^\x00-\x7f]+)([a-z]+)", text)


def _cities() -> list[City]:
    out, prov = [], ""
    for spec in _CITY_TEXT.replace("\n", " ; ").split(" ; "):
        if ": " in spec:  # a province holds for the cities after it
            prov, spec = spec.split(": ")
        name, area, weight, *places = spec.split()
        (pz, ppy), (cz, cpy) = prov.split("/"), name.split("/")
        short = re.sub("(省|壮族自治区|回族自治区|维吾尔自治区|自治区|市)$", "", pz)
        out.append(City(pz, short, ppy, cz, cpy, area, int(weight), tuple(p for p in places if "/" not in p),
                        tuple(tuple(p.split("/")) for p in places if "/" in p)))
    return out


CITIES = _cities()
CITY_CUM = list(accumulate(c.weight for c in CITIES))
BRAND_CHARS = [c for c, _ in _pairs(_BRAND)]
PY = dict(_pairs(_BRAND + _MALE + _FEMALE + "老lao小xiao记ji坊fang"))
HOMOPHONES: dict[str, list[str]] = {}
for _c, _p in _pairs(_BRAND):
    HOMOPHONES.setdefault(_p, []).append(_c)
SURNAME_PY = dict(_pairs(_SURNAMES))
SURNAMES = list(SURNAME_PY)
SURNAME_CUM = list(accumulate(1 / (i + 4) for i in range(len(SURNAMES))))  # Zipf-like: 王, 李, 张 dominate
MALE, FEMALE = [c for c, _ in _pairs(_MALE)], [c for c, _ in _pairs(_FEMALE)]
TRADES, AGENT_TRADES, FRANCHISOR_TRADES, CHAIN_TYPES, SHOPS = (
    [Trade(*t.split(":")) for t in text.split(";")]
    for text in (_TRADES, _AGENT_TRADES, _FRANCHISOR_TRADES, _CHAIN_TYPES, _SHOPS))
GROUP = Trade("集团", "集团", "Group", "GROUP")


def _compose(place: str, paren: bool, brand: str, trade: str, form: str, suffix: str) -> str:
    return f"{brand}（{place}）{trade}{form}{suffix}" if paren and place else f"{place}{brand}{trade}{form}{suffix}"


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in s)


def _py(brand: str) -> str:
    return "".join(PY.get(ch, "") for ch in brand).capitalize()


def _place_options(e: Entity) -> list[tuple[str, bool]]:
    """Every way of writing (or leaving out) the entity's place; True puts it in brackets after the brand."""
    c, full, muni = e.city, e.city.name + "市", e.city.prov_short == e.city.name
    if e.county:
        k = e.county[0]
        ks = k[:-1] if len(k) > 2 and k[:-1] != c.name else k  # 余姚市 -> 余姚, but 沛县 and 长沙县 stay
        opts = [("", False), (k, False), (ks, False), (c.name, False), (c.name + ks, False)]
        return opts + ([(full + k, False)] if muni else [(c.prov_short + ks, False), (c.prov + k, False)])
    opts = [("", False), (c.name, False), (full, False), (c.name, True)]
    opts += [(full + e.district, False)] if e.district else []
    return opts + ([] if muni else [(c.prov_short + c.name, False), (c.prov + full, False), (c.prov_short, False)])


class _Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.used: set = set()  # every phone, e-mail, domain, (city, brand, trade) and (city, registered name) so far
        self.new_mobile: dict[str, str] = {}  # a contact's later number, by the earlier one
        self.entities: list[Entity] = []
        self.rows: list[tuple] = []

    def uniq(self, make):
        while (value := make()) in self.used:
            pass
        self.used.add(value)
        return value

    def city(self, not_this: City | None = None) -> City:
        while (c := self.r.choices(CITIES, cum_weights=CITY_CUM)[0]) is not_this:
            pass
        return c

    def homophone(self, brand: str) -> str:
        swaps = [(i, c) for i, ch in enumerate(brand) for c in HOMOPHONES.get(PY.get(ch, ""), ()) if c != ch]
        if not swaps:
            return brand
        i, c = self.r.choice(swaps)
        return brand[:i] + c + brand[i + 1:]

    def mobile(self) -> str:
        return self.uniq(lambda: self.r.choice(MOBILE_PREFIX) + f"{self.r.randrange(10**8):08d}")

    def landline(self, city: City) -> tuple[str, str, str]:
        return city.area, self.uniq(lambda: f"{city.area}-{self.r.randint(2, 8)}{self.r.randrange(10**7):07d}")[-8:], ""

    def digits(self, p: float, n: int = 4) -> str:
        return str(self.r.randrange(1, 10**n)) if self.r.random() < p else ""

    def person(self, domain: str = "", name: str | None = None, common: float = 0.12) -> Person:
        r = self.r
        name = name or (r.choice(COMMON_NAMES) if r.random() < common else None)
        if name:
            sur = name[:2] if name[:2] in SURNAME_PY else name[0]
        else:
            sur = r.choices(SURNAMES, cum_weights=SURNAME_CUM)[0]
            name = sur + "".join(r.sample(FEMALE if r.random() < 0.45 else MALE, 1 if r.random() < 0.35 else 2))
        sp, gp = SURNAME_PY[sur], "".join(PY[ch] for ch in name[len(sur):])
        u, local = r.random(), r.choice((sp + gp, f"{sp}.{gp}", gp + sp, sp + gp[0]))
        if domain and u < 0.5:
            email = self.uniq(lambda: f"{local}{self.digits(0.3, 2)}@{domain}")
        elif u < (0.8 if domain else 0.6):
            host = r.choices(list(FREEMAIL), list(FREEMAIL.values()))[0]
            email = self.uniq(lambda: f"{r.randint(100000, 3999999999)}@qq.com" if host == "qq.com" else
                              f"{sp}{gp}{r.choice(('', '_', '.')) + d if (d := self.digits(0.6)) else ''}@{host}")
        else:
            email = ""
        return Person(name, sur, name[len(sur)] in FEMALE, self.mobile(), email)

    def company(self, kind: str, city: City | None = None, brand: str | None = None, trade: Trade | None = None,
                style: str | None = None, form: str | None = None, brand_py: str | None = None, **kw) -> Entity | None:
        r = self.r
        for _ in range(60):
            c, t = city or self.city(), trade or r.choice(TRADES)
            b = brand or "".join(r.sample(BRAND_CHARS, 3 if r.random() < 0.1 else 2))
            # One registration authority lets a brand into a trade once: (city, brand, trade) never repeats.
            if ("co", c.name, b, t.zh) not in self.used:
                self.used.add(("co", c.name, b, t.zh))
                break
            if city and brand and trade:
                return None
        else:
            return None
        st = style or r.choices(STYLES, STYLE_W)[0]
        st = "city" if (st == "county" and not c.counties) or (st == "prov" and c.prov_short == c.name) else st
        county = r.choice(c.counties) if st == "county" else None
        return Entity(kind, c, b, brand_py or _py(b), t, form or r.choices(FORMS, FORM_W)[0], st, county,
                      "" if county else r.choice(c.districts), **kw)

    def add(self, e: Entity | None, dom_p: float = 0.55, land_p: float = 0.5) -> Entity | None:
        r = self.r
        if e is None or ("nm", e.city.name, e.reg) in self.used:
            return None
        self.used.add(("nm", e.city.name, e.reg))
        if not e.domain and r.random() < dom_p:
            base, tail = re.sub("[^a-z]", "", e.brand_py.lower()), re.sub("[^a-z]", "", e.trade.en_short.lower())
            e.domain = self.uniq(lambda: (e.city.py + "-" if r.random() < 0.15 else "") + base
                                 + r.choice(("", "", tail, "group")) + self.digits(0.05, 2) + r.choice(TLDS))
        if e.landline is None and r.random() < land_p:
            e.landline = self.landline(e.city)
        e.persons = e.persons or [self.person(e.domain)]
        if e.domain and r.random() < 0.5:
            e.generic = self.uniq(lambda: f"{r.choice(GENERIC)}{self.digits(0.3, 1)}@{e.domain}")
        e.eid = len(self.entities)
        self.entities.append(e)
        self.emit(e, r.choices((1, 2, 3), (72, 21, 7))[0])
        return e

    # Families: each puts its hard negatives side by side.
    def fam_single(self) -> None:
        self.add(self.company("single"))

    def fam_branch(self) -> None:
        r = self.r
        head = self.add(self.company("head"), dom_p=0.9, land_p=0.8)
        for _ in range(r.choice((1, 1, 2, 3)) if head else 0):
            unit = r.choices(("分公司", "办事处", "门市部"), (6, 2, 2))[0]
            site = head.city if unit == "门市部" else self.city(not_this=head.city)
            label = r.choice(("", r.choice(site.districts))) if unit == "门市部" else site.name
            en = {"分公司": " Branch", "办事处": " Office"}.get(unit, " Sales Outlet")
            en = f" {site.py.title()}{en}" if unit != "门市部" else en
            own = self.landline(site) if r.random() < 0.5 else None
            board = (head.landline[0], head.landline[1], str(r.randint(800, 899))) \
                if head.landline and r.random() < 0.25 else own
            self.add(replace(head, kind="branch", suffix=label + unit, en_suffix=en, persons=[], generic="", eid=-1,
                             domain=head.domain if r.random() < 0.7 else "", landline=board), land_p=0)

    def fam_samebrand(self) -> None:
        r = self.r
        a = self.add(self.company("samebrand"))
        for _ in range(r.choice((1, 1, 2)) if a else 0):
            self.add(self.company("samebrand", city=self.city(not_this=a.city), brand=a.brand,
                                  trade=a.trade if r.random() < 0.7 else None,
                                  domain=a.domain if r.random() < 0.2 else ""))

    def fam_group(self) -> None:
        r = self.r
        head = self.add(self.company("group", trade=GROUP, form="有限公司", style=r.choice(("city", "city", "prov"))),
                        dom_p=0.9, land_p=0.8)
        for _ in range(r.randint(1, 3) if head else 0):
            self.add(self.company("subsidiary", city=head.city if r.random() < 0.6 else None, brand=head.brand + "集团",
                                  brand_py=head.brand_py + " Group", style=r.choice((head.style, "city")),
                                  domain=head.domain if r.random() < 0.6 else ""))

    def fam_neighbor(self) -> None:
        r = self.r
        if a := self.add(self.company("neighbor")):
            i = r.randrange(len(a.brand))
            other = self.homophone(a.brand) if r.random() < 0.25 else \
                a.brand[:i] + r.choice([c for c in BRAND_CHARS if c not in a.brand]) + a.brand[i + 1:]
            self.add(self.company("neighbor", city=a.city, brand=other, trade=a.trade, style=r.choice((a.style, None))))

    def fam_chain(self) -> None:
        r = self.r
        city, brand, kind = self.city(), "".join(r.sample(BRAND_CHARS, 2)), r.choice(CHAIN_TYPES)
        brand = r.choice("老小大") + brand[0] + r.choice("记家坊") if r.random() < 0.3 else brand
        if r.random() < 0.6:
            self.add(self.company("franchisor", city=city, brand=brand, trade=r.choice(FRANCHISOR_TRADES)), dom_p=0.8)
        locs = r.sample(STORE_LOCS, r.randint(2, 5))
        sites = [city] * len(locs)
        if r.random() < 0.3:  # a franchisee in another city may carry the very same store name
            sites, locs = sites + [self.city(not_this=city)], locs + [r.choice(locs)]
        for site, loc in zip(sites, locs):
            self.add(Entity("store", site, brand, _py(brand), kind, "", r.choice(("bare", "bare", "city")),
                            district=r.choice(site.districts), suffix=f"（{loc}店）", land_p=0.6), dom_p=0, land_p=0.7)

    def fam_agent(self) -> None:
        r = self.r
        city, agent = self.city(), self.person(common=0.25)
        board = self.landline(city) if r.random() < 0.6 else None
        if r.random() < 0.5:
            self.add(self.company("agent", city=city, trade=r.choice(AGENT_TRADES), persons=[agent], landline=board))
        for _ in range(r.randint(3, 7)):
            self.add(self.company("client", city=city, persons=[agent], landline=board if r.random() < 0.5 else None),
                     dom_p=0.1, land_p=0.3)

    def fam_building(self) -> None:
        r = self.r
        city = self.city()
        area, num, _ = self.landline(city)
        for _ in range(r.randint(3, 6)):
            ext = str(r.randint(200, 899)) if r.random() < 0.5 else ""
            self.add(self.company("tenant", city=city, landline=(area, num, ext), land_p=0.5))

    def fam_individual(self) -> None:
        r = self.r
        owner, shop = r.choice(COMMON_NAMES) if r.random() < 0.6 else None, r.choice(SHOPS)
        for c in dict.fromkeys(self.city() for _ in range(r.choices((1, 2, 3), (60, 30, 10))[0])):
            p = self.person(name=owner)
            owner = p.name  # one owner's name in every city of the family, a different person each time
            county = r.choice(c.counties) if c.counties and r.random() < 0.35 else None
            self.add(Entity("individual", c, p.name, "", shop, "", "county" if county else "district", county,
                            "" if county else r.choice(c.districts), suffix="（个体工商户）" if r.random() < 0.3 else "",
                            persons=[p], land_p=0.2), dom_p=0, land_p=0.3)

    # Records.
    def emit(self, e: Entity, k: int) -> None:
        r = self.r
        p = e.persons[0]
        phone = ("l", e.landline) if e.landline and r.random() < e.land_p else ("m", p.mobile)
        email = p.email if p.email and r.random() < 0.75 else e.generic if r.random() < 0.5 else ""
        canon = [(p, phone, email, False)]
        for _ in range(k - 1):
            if r.random() < 0.025:  # another department: the registered name and nothing else in common
                e.persons.append(p := self.person())
                canon.append((p, ("m", p.mobile), p.email, True))
                continue
            rp, rphone, remail, _ = r.choice(canon)
            u = r.random()
            keep = {"person", "phone", "email"} if u < 0.18 else set(r.sample(("person", "phone", "email"), 2)) \
                if u < 0.45 else {r.choices(("person", "phone", "email"), (30, 50, 20))[0]}
            if not remail:  # no e-mail to keep: the phone stands in for it
                keep = (keep - {"email"}) or {"phone"}
            p = rp if "person" in keep else self.colleague(e, rp)
            phones = [o for o in (("m", p.mobile), ("l", e.landline)) if o[1] and o != rphone]
            if not phones or r.random() < 0.2:  # the contact changed numbers
                if p.mobile not in self.new_mobile:
                    self.new_mobile[p.mobile] = self.mobile()
                phones.append(("m", self.new_mobile[p.mobile]))
            emails = [x for x in (p.email, e.generic, "") if x != remail] or [""]
            canon.append((p, rphone if "phone" in keep else r.choice(phones),
                          remail if "email" in keep else r.choice(emails), False))
        day0, any_dept = r.randrange(LAST_DAY + 1), any(c[3] for c in canon)
        for i, (p, phone, email, dept) in enumerate(canon):
            day = day0 if i == 0 else r.randint(max(0, day0 - 900), min(LAST_DAY, day0 + 900))
            dt = START + timedelta(days=day, seconds=r.randrange(8 * 3600, 21 * 3600))
            # Two departments share nothing but the registered name, so both records carry it unchanged.
            name = e.reg if dept or (i == 0 and any_dept) else self.name_for(e)
            self.rows.append((e.eid, name, self.fmt_person(p), self.fmt_phone(phone), self.fmt_email(email), dt))

    def colleague(self, e: Entity, not_him: Person) -> Person:
        others = [q for q in e.persons if q is not not_him]
        if others and self.r.random() < 0.5:
            return self.r.choice(others)
        e.persons.append(self.person(e.domain))
        return e.persons[-1]

    def name_for(self, e: Entity) -> str:
        r = self.r
        if e.trade.en and e.form and r.random() < 0.05:
            return self.en_name(e)
        if r.random() < 0.4:
            return e.reg
        place, paren, trade, form, suffix = e.reg_place, e.style == "paren", e.trade.zh, e.form, e.suffix
        if r.random() < 0.5:
            place, paren = r.choice(_place_options(e))
        if form and r.random() < 0.35:
            form = r.choices(FORM_VARIANTS, FORM_VARIANT_W)[0]
        if r.random() < 0.2:  # without a legal form the trade is all that says "business" (王伟五金店), so it stays
            trade = r.choice((e.trade.short, e.trade.short, "" if form else e.trade.short))
        if form and r.random() < 0.05:
            place, trade, form = "", "", r.choice(("", "公司"))
        if suffix == "（个体工商户）":
            suffix = r.choice(("", "", suffix, "(个体工商户)"))
        elif suffix:
            core = suffix.strip("（）")
            # A store's own name is the only thing that tells it from the chain's other stores; rarely dropped.
            suffix = "" if e.kind == "store" and r.random() < 0.05 else \
                r.choice((core, f"（{core}）", f"({core})", f" {core}", f"-{core}"))
        s = _compose(place, paren, self.homophone(e.brand) if r.random() < 0.06 else e.brand, trade, form, suffix)
        u, i = r.random(), r.randrange(1, len(s))
        if u < 0.04:
            s = s[:i] + s[i + 1:]
        elif u < 0.07:
            s = zhconv.convert(s, "zh-hant")
        elif u < 0.13:
            s = s[:i] + r.choice((" ", "  ", "\u3000")) + s[i:]
        return s.replace("（", "(").replace("）", ")") if r.random() < 0.4 else s

    def en_name(self, e: Entity) -> str:
        r = self.r
        place = (e.county[1] if e.county else e.city.prov_py if e.style == "prov" else e.city.py).title()
        b, t = e.brand_py, e.trade.en
        form = "Corp., Ltd." if e.form == "股份有限公司" and r.random() < 0.4 else \
            r.choice(("Co., Ltd.", "Co.,Ltd.", "Co., Ltd", "CO.,LTD", "Company Limited"))
        s = r.choice((f"{place} {b} {t} {form}", f"{b} {t} {form}", f"{b.upper()} {e.trade.en_short}", f"{b} {t}",
                      f"{b} ({place}) {t} {form}")) + e.en_suffix
        u = r.random()
        return s.upper() if u < 0.25 else _fullwidth(s) if u < 0.28 else s.replace(" ", "  ", 1) if u < 0.33 else s

    def fmt_person(self, p: Person) -> str:
        u = self.r.random()
        if u < 0.15:
            return p.surname + self.r.choice(TITLES_F if p.female else TITLES_M)
        if u < 0.18:
            return p.surname + " " + p.name[len(p.surname):]
        return zhconv.convert(p.name, "zh-hant") if u < 0.19 else p.name

    def fmt_phone(self, phone: tuple) -> str:
        r = self.r
        if phone[0] == "m":
            m = phone[1]
            spaced = f"{m[:3]} {m[3:7]} {m[7:]}"
            s = r.choices((m, spaced, f"{m[:3]}-{m[3:7]}-{m[7:]}", "+86 " + m, "+86-" + m, "86-" + m, "0086 " + m,
                           "86" + m, "+86 " + spaced, f" {m} "), (50, 10, 8, 8, 3, 4, 3, 3, 3, 2))[0]
        else:
            area, num, ext = phone[1]
            s = r.choices((f"{area}-{num}", f"{area}-{num[:4]} {num[4:]}", area + num, f"({area}){num}",
                           f"{area} {num}", num, f"+86-{area[1:]}-{num}", f"（{area}）{num}"),
                          (40, 10, 10, 8, 8, 8, 5, 3))[0]
            if ext and r.random() < 0.8:
                s += r.choices((f"转{ext}", f"-{ext}", f" ext.{ext}", f" 转 {ext}"), (55, 20, 10, 10))[0]
        return _fullwidth(s) if r.random() < 0.02 else s

    def fmt_email(self, s: str) -> str:
        u = self.r.random()
        if not s or u >= 0.14:
            return s
        if u < 0.09:
            return s.upper() if u < 0.05 else s[0].upper() + s[1:]
        if u < 0.13:
            return self.r.choice((" " + s, s + " ", s.replace("@", " @"), s.replace("@", "@ ")))
        return s.replace("@", "＠")


def make_fresh_set(n_records: int = 170_000, seed: int = 11) -> pd.DataFrame:
    """The held-out set: n_records shuffled rows; rows with one `entity` are one real customer."""
    g = _Gen(seed)
    while len(g.rows) < n_records:
        getattr(g, "fam_" + g.r.choices(list(FAMILIES), list(FAMILIES.values()))[0])()
    rows = g.rows[:n_records]
    ids, serial = [""] * len(rows), {}
    for i in sorted(range(len(rows)), key=lambda i: rows[i][5]):
        day = rows[i][5].strftime("%Y%m%d")
        serial[day] = serial.get(day, 0) + 1
        ids[i] = f"CRM{day}{serial[day]:05d}"
    perm = list(range(len(g.entities)))
    g.r.shuffle(perm)  # a family's entities were numbered in a row; that must not show
    cols = ["客户名称", "联系人姓名", "联系电话", "联系邮箱"]
    df = pd.DataFrame({"客户编号": ids, **{c: [row[j] for row in rows] for j, c in enumerate(cols, 1)},
                       "创建时间": pd.to_datetime([row[5] for row in rows]), "entity": [perm[row[0]] for row in rows]})
    return df.sample(frac=1, random_state=seed).reset_index(drop=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=170_000)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    t0 = time.perf_counter()
    df = make_fresh_set(args.records, args.seed)
    CACHE.mkdir(exist_ok=True)
    out = CACHE / f"dedupe-fresh-{args.seed}-{args.records}.csv"
    df.to_csv(out, index=False, encoding="utf-8-sig")
    k = df["entity"].value_counts()
    print(f"records: {len(df)}\nentities: {len(k)}\nentities with >1 record: {int((k > 1).sum())}")
    print(f"true pairs: {int((k * (k - 1) // 2).sum())}\nwrote {out} in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
