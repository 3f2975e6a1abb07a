// ECharts with only the parts the console draws (bar, pie, scatter points on
// a registered map), installed once when this module loads: registerMap()
// needs the geo component in place before any chart exists.
import * as echarts from 'echarts/core'
import { BarChart, PieChart, ScatterChart } from 'echarts/charts'
import { GeoComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, PieChart, ScatterChart, GeoComponent, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

export { echarts }
